import type { CommandLineError } from './error.js';

/** The `--auth` modes: each is a credential of `@azure/identity` (see `sign-in/credential.ts`). */
export const AUTH_MODES = ['azure-cli', 'device-code', 'environment'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** `--auth MODE` with the `--tenant` and `--client-id` it takes (the environment's are read at sign-in). */
export interface SignInSettings {
  readonly mode: AuthMode;
  readonly tenant?: string;
  readonly clientId?: string;
}

interface SignInValues {
  token?: string;
  'token-command'?: string;
  auth?: string;
  tenant?: string;
  'client-id'?: string;
}

type Fail = (message: string) => CommandLineError;

/**
 * `--auth` and its options, checked: one source of the token (`--auth` with `--token` or
 * `--token-command` is refused: which one was meant cannot be guessed), `--tenant` for the modes
 * that sign a user in, `--client-id` for `device-code` (`environment` reads both from its variables).
 */
export function readSignIn(values: SignInValues, fail: Fail): SignInSettings | undefined {
  const { auth, tenant, 'client-id': clientId } = values;
  if (tenant === '' || clientId === '') throw fail(`--${tenant === '' ? 'tenant' : 'client-id'} is empty`);
  if (auth === undefined) {
    if (tenant !== undefined || clientId !== undefined) {
      throw fail(`--${tenant !== undefined ? 'tenant' : 'client-id'} is an option of --auth device-code`);
    }
    return undefined;
  }
  if (!(AUTH_MODES as readonly string[]).includes(auth)) {
    throw fail(`--auth must be one of ${AUTH_MODES.join(', ')} (got "${auth}")`);
  }
  const other = values.token !== undefined ? '--token' : values['token-command'] !== undefined ? '--token-command' : '';
  if (other) throw fail(`--auth and ${other} both say where the token comes from: pass one`);
  const mode = auth as AuthMode;
  if (mode === 'environment' && (tenant !== undefined || clientId !== undefined)) {
    throw fail('--auth environment reads the tenant and the app from AZURE_TENANT_ID and AZURE_CLIENT_ID');
  }
  if (mode === 'azure-cli' && clientId !== undefined) {
    throw fail("--auth azure-cli signs in with the Azure CLI's own app: --client-id is for --auth device-code");
  }
  return { mode, ...(tenant !== undefined && { tenant }), ...(clientId !== undefined && { clientId }) };
}

/**
 * `--proxy URL`, checked: an absolute `http` or `https` URL. The messages never repeat it: it may
 * hold the proxy's user name and password.
 */
export function proxyURL(text: string, fail: Fail): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fail('--proxy is not a URL: expected http://host:port (credentials URL-encoded: http://user:pass@host:port)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw fail(`--proxy must be an http or https URL (got ${url.protocol})`);
  }
  return text;
}

/** A proxy URL without its credentials, for `--debug`: `http://proxy.example:8080`. */
export function proxyLabel(proxy: string): string {
  const { protocol, host } = new URL(proxy);
  return `${protocol}//${host}`;
}
