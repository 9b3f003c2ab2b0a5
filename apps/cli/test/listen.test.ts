// `usagebudget listen` as a process against the reference server (and its own signed deliveries):
// a real crossing received, verified and shown with the customer now over budget (its hostile
// name escaped); deliveries that are forged, altered, replayed or missing a header answered 401
// with the reason and never forwarded; --forward-to given the exact bytes and headers, its answer
// passed back to the sender (and a delivery it failed verifying again when resent); Ctrl-C and
// SIGTERM stop it cleanly, its port released.
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MAX_WEBHOOK_BODY_BYTES } from '@usagebudget/client/webhooks';
import {
  type ReceivedDelivery,
  randomPartner,
  runToEnd,
  type ServerProcess,
  type StartedProcess,
  startProcess,
  startServerProcess,
  startWebhookReceiver,
  type WebhookReceiver,
} from '@usagebudget/server/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE, RAW_CONTROLS, SHOWN } from './support/hostile-text.js';
import { CLI, cliEnvironment, usagebudget } from './support/run.js';

// The partner whose customer crosses its budget: it spends 80 of 100, until its budget is lowered.
const crossing = { ...randomPartner('Listen crossing partner'), customers: [] };
const customer = randomUUID();
const crossingToken = crossing.tokens[0] as string;
// The partner whose genuine test events the forwarding tests resend.
const capturing = randomPartner('Listen capturing partner');
const capturingToken = capturing.tokens[0] as string;

let server: ServerProcess;
let capture: WebhookReceiver;
/** Two genuine deliveries, as the server sent them. */
let genuine: ReceivedDelivery[];
const running = new Set<StartedProcess>();

beforeAll(async () => {
  [server, capture] = await Promise.all([
    startServerProcess({
      config: {
        partners: [
          { ...crossing, customers: [{ id: customer, name: HOSTILE, cost: '80', budget: 100, currency: 'USD' }] },
          capturing,
        ],
      },
      args: ['--no-access-log', '--webhook-first-retry', '0.2', '--webhook-max-retry', '0.4'],
    }),
    startWebhookReceiver(),
  ]);
  const auth = { PARTNER_CENTER_TOKEN: capturingToken };
  await usagebudget(['webhooks', 'register', capture.url, '--base-url', server.url], auth);
  for (let sent = 0; sent < 2; sent++) {
    const tested = await usagebudget(['webhooks', 'test', '--wait', '--base-url', server.url], auth);
    expect(tested.code, tested.stderr).toBe(0);
  }
  genuine = await capture.waitFor(2);
});

afterEach(async () => {
  await Promise.all([...running].map((listening) => listening.stop('SIGINT')));
  running.clear();
});

afterAll(async () => {
  await Promise.all([server?.stop(), capture?.close()]);
});

/** `usagebudget listen ARGS` against the server, started: ready once `ready` shows. */
async function listen(args: string[], token: string, ready = /^Listening on /) {
  const started = await startProcess({
    name: 'usagebudget listen',
    command: process.execPath,
    args: [CLI, 'listen', '--base-url', server.url, ...args],
    env: cliEnvironment({ PARTNER_CENTER_TOKEN: token }),
    ready,
    timeoutMs: 30_000,
  });
  running.add(started);
  const url = /(?:^Listening on |"listening":")(http:\/\/127\.0\.0\.1:\d+\/webhooks)/m.exec(started.output())?.[1];
  if (!url) throw new Error(`listen printed no URL:\n${started.output()}`);
  return { started, url };
}

/** Resolves once the process has printed what matches `pattern` (rejects after 15 s). */
async function printed(started: StartedProcess, pattern: RegExp): Promise<string> {
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
    if (pattern.test(started.output())) return started.output();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`listen did not print ${pattern}:\n${started.output()}`);
}

/** POSTs `body` with `headers` to `url`, as a sender would; resolves with the status and answer. */
function post(
  url: string,
  body: Buffer,
  headers: Record<string, string> | string[],
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const sent = request(url, { method: 'POST', headers }, (answer) => {
      let text = '';
      answer.on('data', (chunk) => {
        text += chunk;
      });
      answer.once('end', () => resolve({ status: answer.statusCode ?? 0, text }));
    });
    sent.once('error', reject);
    sent.end(body);
  });
}

const SIGNED_HEADERS = ['content-type', 'authorization', 'x-ms-certificate-url', 'x-ms-signature-algorithm'];
/** The headers of a delivery that a receiver verifies. */
const signedHeaders = (delivery: ReceivedDelivery) =>
  Object.fromEntries(SIGNED_HEADERS.map((name) => [name, String(delivery.headers[name])]));
const resend = (
  url: string,
  delivery: ReceivedDelivery,
  body = delivery.body,
  headers: Record<string, string> | string[] = signedHeaders(delivery),
) => post(url, body, headers);

describe('usagebudget listen', () => {
  it('receives a real crossing, verified, with the customer now over budget (its name escaped), and stops on Ctrl-C', async () => {
    const { started, url } = await listen(
      ['--register', '--event', 'usagerecords-thresholdExceeded'],
      crossingToken,
      /^Registered /,
    );
    expect(started.stdout()).toMatch(
      new RegExp(
        `^Trusting +the root of ${server.url}/webhooks/certificates/root\\.pem \\(O=usagebudget reference server\\)$`,
        'm',
      ),
    );
    expect(started.stdout()).toContain(`Registered  usagerecords-thresholdExceeded to ${url}`);

    const lowered = await usagebudget(['set', customer, '50', '--base-url', server.url], {
      PARTNER_CENTER_TOKEN: crossingToken,
    });
    expect(lowered.code, lowered.stderr).toBe(0);
    const output = await printed(started, new RegExp(`^  ${customer} .*$`, 'm'));
    expect(output).toMatch(/^\S+Z {2}verified {2}usagerecords-thresholdExceeded$/m);
    expect(output).toContain(`  Resource     ${server.url}/v1/customers/usagerecords`);
    expect(output).toMatch(/^ {2}Over budget {2}1 customer$/m);
    expect(output).toMatch(
      new RegExp(
        `^  ${customer}  ${SHOWN.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} +50\\.00 +80\\.00 +USD +160\\.00 %$`,
        'm',
      ),
    );
    for (const raw of RAW_CONTROLS) expect(output).not.toContain(raw);

    running.delete(started);
    expect(await started.stop('SIGINT')).toBe(0);
    expect(started.output()).toContain('listen: stopped');
    await expect(fetch(url, { method: 'POST' })).rejects.toThrow();
  });

  it('answers a delivery that is altered, signed by another key, missing a header or with one twice 401 and the reason, a replay 200 (handled already), and forwards none of them', async () => {
    const target = await startWebhookReceiver();
    try {
      const { started, url } = await listen(['--forward-to', target.url], capturingToken);
      const [delivery] = genuine as [ReceivedDelivery];
      expect(await resend(url, delivery)).toMatchObject({ status: 200 });
      await target.waitFor(1);

      const altered = Buffer.from(delivery.body);
      altered[altered.length - 3] = (altered[altered.length - 3] as number) ^ 1;
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const forgedSignature = sign('sha256', delivery.body, privateKey).toString('base64');
      const { authorization: _, ...unsigned } = signedHeaders(delivery);
      const refusals = [
        [await resend(url, delivery, altered), 'bad-signature'],
        [
          await resend(url, delivery, delivery.body, {
            ...signedHeaders(delivery),
            authorization: `Signature ${forgedSignature}`,
          }),
          'bad-signature',
        ],
        [await resend(url, delivery, delivery.body, unsigned), 'missing-header'],
        [
          await resend(url, delivery, delivery.body, [
            // Node's server wants a Host; its client adds none to headers given as a list.
            'host',
            new URL(url).host,
            ...Object.entries(signedHeaders(delivery)).flat(),
            'authorization',
            `Signature ${forgedSignature}`,
          ]),
          'duplicate-header',
        ],
      ] as const;
      for (const [answer, reason] of refusals) {
        expect(answer.status, `${reason}: ${answer.text}`).toBe(401);
        expect(answer.text).toMatch(new RegExp(`^${reason}: `));
      }
      // The same delivery again: a sender's retry after a lost answer, or a replay; handled once.
      const replayed = await resend(url, delivery);
      expect(replayed.status).toBe(200);
      expect(replayed.text).toMatch(/^replay: /);
      const output = await printed(started, /already handled \(200\) {2}replay: /);
      expect(output).toMatch(/^\S+Z {2}refused \(401\) {2}duplicate-header: /m);
      expect(output.match(/^\S+Z {2}refused \(401\) {2}bad-signature: /gm)).toHaveLength(2);
      expect(output).toMatch(/^\S+Z {2}refused \(401\) {2}missing-header: /m);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(target.deliveries).toHaveLength(1);
    } finally {
      await target.close();
    }
  });

  it('--forward-to passes on the exact bytes and headers, and answers what that receiver answered; a delivery it failed verifies again when resent', async () => {
    const target = await startWebhookReceiver();
    try {
      const { started, url } = await listen(['--forward-to', target.url, '--json'], capturingToken, /"listening"/);
      const delivery = genuine[1] as ReceivedDelivery;
      target.answerWith(503);
      expect(await resend(url, delivery)).toMatchObject({ status: 503 });
      const [forwarded] = await target.waitFor(1);
      expect(forwarded?.body.equals(delivery.body), 'the same bytes').toBe(true);
      for (const name of SIGNED_HEADERS) expect(forwarded?.headers[name]).toBe(delivery.headers[name]);
      expect(forwarded?.headers['content-length']).toBe(String(delivery.body.length));

      // The sender tries again, the same bytes: not a replay, since it was not acknowledged.
      target.answerWith(202);
      expect(await resend(url, delivery)).toMatchObject({ status: 202 });
      expect(await resend(url, delivery)).toMatchObject({ status: 200, text: expect.stringMatching(/^replay: /) });
      const output = await printed(started, /"verified":false/);
      const lines = output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines[0]).toEqual({ listening: url, trust: expect.stringContaining('root.pem'), forwardTo: target.url });
      expect(
        lines.slice(1).map(({ verified, forwarded, reason }) => [verified, forwarded ?? null, reason ?? null]),
      ).toEqual([
        [true, { url: target.url, status: 503 }, null],
        [true, { url: target.url, status: 202 }, null],
        [false, null, 'replay'],
      ]);
      expect(lines[1]?.event).toMatchObject({ EventName: 'test-created', ResourceName: 'test' });
      expect(target.deliveries).toHaveLength(2);
    } finally {
      await target.close();
    }
  });

  it("--trust-root trusts the roots of a file: the server's verifies its delivery, another root does not", async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'usagebudget-listen-'));
    try {
      const serverRoot = join(scratch, 'server-root.pem');
      await writeFile(serverRoot, await (await fetch(`${server.url}/webhooks/certificates/root.pem`)).text());
      const otherRoot = join(scratch, 'other-root.pem');
      const made = await runToEnd('openssl', [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/O=usagebudget reference server/CN=another root',
        '-keyout',
        join(scratch, 'other-key.pem'),
        '-out',
        otherRoot,
      ]);
      expect(made.code, made.stderr).toBe(0);
      const delivery = genuine[0] as ReceivedDelivery;
      for (const [root, status, reason] of [
        [serverRoot, 200, /^OK/],
        [otherRoot, 401, /^certificate-untrusted: /],
      ] as const) {
        const { started, url } = await listen(['--trust-root', root], capturingToken);
        expect(started.stdout()).toContain(`Trusting  the root of ${root} (O=usagebudget reference server)`);
        const answer = await resend(url, delivery);
        expect(answer.status, answer.text).toBe(status);
        expect(answer.text).toMatch(reason);
        running.delete(started);
        await started.stop('SIGINT');
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it("refuses a body past the SDK's receiver limit 413 unread, and reads one at the limit", async () => {
    const { url } = await listen([], capturingToken);
    const post = async (bytes: number) => {
      const response = await fetch(url, { method: 'POST', body: Buffer.alloc(bytes, 0x7b) });
      return { status: response.status, text: await response.text() };
    };
    expect(await post(DEFAULT_MAX_WEBHOOK_BODY_BYTES + 1)).toMatchObject({
      status: 413,
      text: expect.stringContaining(`at most ${DEFAULT_MAX_WEBHOOK_BODY_BYTES} bytes`),
    });
    // Read whole, then refused for what it lacks: no signature.
    expect(await post(DEFAULT_MAX_WEBHOOK_BODY_BYTES)).toMatchObject({ status: 401 });
  });

  it('stops cleanly on SIGTERM: exit code 0, its port released', async () => {
    const { started, url } = await listen([], capturingToken);
    running.delete(started);
    expect(await started.stop('SIGTERM')).toBe(0);
    await expect(fetch(url, { method: 'POST' })).rejects.toThrow();
  });

  it('refuses a --port, --forward-to or --trust-root it cannot use, and registration options without --register (exit code 2)', async () => {
    const cases = [
      [['--port', '70000'], '--port takes a port number'],
      [['--forward-to', 'ftp://127.0.0.1/x'], '--forward-to takes an http or https URL'],
      [['--trust-root', '/nonexistent/root.pem'], '--trust-root: cannot read /nonexistent/root.pem'],
      [['--event', 'test-created'], '--event needs --register'],
    ] as const;
    for (const [args, message] of cases) {
      const run = await usagebudget(['listen', ...args, '--base-url', server.url], {
        PARTNER_CENTER_TOKEN: capturingToken,
      });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(message);
    }
  });
});
