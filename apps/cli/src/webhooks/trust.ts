// What `listen` trusts to sign the events it receives. By default Partner Center alone (the SDK's
// default: its certificate host, Microsoft's roots, `O=Microsoft Corporation`). A reference server
// or mock signs with a test root of its own, which `listen` trusts as `stripe listen` trusts
// Stripe's test mode: from `--trust-root FILE`, or fetched from the server itself when the CLI's
// target is on this machine (loopback: what it serves is what runs here).
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { WebhookTrust } from '@usagebudget/client/webhooks';
import { CommandLineError } from '../command-line/error.js';
import { type CommandLineSettings, endpointURL } from '../command-line/settings.js';

/** Where the reference server and the mock serve their certificates: the signing one, and the test root. */
const CERTIFICATES_PATH = '/webhooks/certificates/';
export const ROOT_CERTIFICATE_PATH = `${CERTIFICATES_PATH}root.pem`;
/** A root certificate is a few kilobytes: more is not one. */
const MAX_ROOT_BYTES = 256 * 1024;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The `trust` option of the SDK's verifier, and what `listen` says it trusts. */
export interface ListenerTrust {
  readonly trust?: WebhookTrust;
  /** For the start line: `Partner Center`, or the root and where it came from. */
  readonly description: string;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether `url` is on this machine. */
export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
}

/**
 * The trust of `listen`: the roots of `--trust-root`, or the test root of a target on loopback,
 * whose host then serves the signing certificate; otherwise Partner Center's.
 */
export async function listenerTrust(
  settings: CommandLineSettings,
  trustRootFile: string | undefined,
  signal: AbortSignal,
): Promise<ListenerTrust> {
  const target = new URL(endpointURL(settings.endpoint));
  const local = 'baseURL' in settings.endpoint && isLoopback(target);
  if (trustRootFile === undefined && !local) return { description: 'Partner Center (Microsoft Corporation)' };
  const roots =
    trustRootFile === undefined
      ? await fetchRoot(new URL(ROOT_CERTIFICATE_PATH, target), settings.timeoutMs, signal)
      : await readRoots(trustRootFile);
  const organisation = organisationOf(roots[0] as string, trustRootFile ?? target.href);
  // The signing certificate is the target's, where the reference server and the mock serve it.
  const hosts =
    'baseURL' in settings.endpoint ? { certificateHosts: [target.host], certificatePathPrefix: CERTIFICATES_PATH } : {};
  const from = trustRootFile ?? new URL(ROOT_CERTIFICATE_PATH, target).href;
  return {
    trust: { roots, ...hosts, allowHttp: target.protocol === 'http:', organisation },
    description: `the root of ${from} (O=${organisation})`,
  };
}

/** The certificates of a PEM file; a {@link CommandLineError} when it holds none. */
async function readRoots(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CommandLineError(`--trust-root: cannot read ${file}: ${(error as Error).message}`, 'listen');
  }
  return certificatesIn(text, `--trust-root ${file}`);
}

function certificatesIn(text: string, origin: string): string[] {
  const found = text.length <= MAX_ROOT_BYTES ? (text.match(PEM_CERTIFICATE) ?? []) : [];
  if (found.length === 0) throw new CommandLineError(`${origin} holds no PEM certificate`, 'listen');
  for (const pem of found) {
    try {
      new X509Certificate(pem);
    } catch {
      throw new CommandLineError(`${origin} holds a certificate that cannot be read`, 'listen');
    }
  }
  return found;
}

/** The test root a server on loopback serves: bounded in time and size, no redirect. */
async function fetchRoot(url: URL, timeoutMs: number, signal: AbortSignal): Promise<string[]> {
  const fail = (why: string) =>
    new Error(`cannot read the test root of the target at ${url.href}: ${why} (pass --trust-root FILE)`);
  let response: Response;
  try {
    response = await fetch(url, {
      redirect: 'error',
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
  } catch (error) {
    throw fail((error as Error).message);
  }
  if (!response.ok) throw fail(`HTTP ${response.status}`);
  const body = await response.arrayBuffer();
  if (body.byteLength > MAX_ROOT_BYTES) throw fail(`more than ${MAX_ROOT_BYTES} bytes`);
  return certificatesIn(Buffer.from(body).toString('utf8'), url.href);
}

/**
 * The organisation (`O=`) of the root's subject: the one its signing certificates must name, as
 * Partner Center's name `Microsoft Corporation` (the reference server names both the same).
 */
function organisationOf(pem: string, origin: string): string {
  const subject = new X509Certificate(pem).subject;
  const organisation = /^O=(.+)$/m.exec(subject)?.[1];
  if (organisation === undefined)
    throw new CommandLineError(`the root of ${origin} names no organisation (O=)`, 'listen');
  return organisation;
}
