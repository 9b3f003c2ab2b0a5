// `webhooks register`, `show`, `events` and `test` against the reference server, run as a user
// runs the CLI (the built bin), with receivers on loopback: one registration per partner, what
// --update replaces, the URLs refused before anything is sent, test events followed attempt by
// attempt to a final status or the end of --wait, and a receiver's hostile answer shown escaped.
import { WEBHOOK_EVENT_NAMES } from '@usagebudget/server';
import {
  randomPartner,
  type ServerProcess,
  startServerProcess,
  startWebhookReceiver,
  type WebhookReceiver,
} from '@usagebudget/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOSTILE, RAW_CONTROLS, SHOWN } from './support/hostile-text.js';
import { usagebudget } from './support/run.js';
import { startStandIn, stopStandIns } from './support/stand-in.js';

// A partner per test that registers, so that each starts without a registration.
const partners = Array.from({ length: 20 }, (_, index) => randomPartner(`CLI webhook partner ${index}`));
let next = 0;
/** The token of a partner of the test's own. */
const fresh = () => ({ PARTNER_CENTER_TOKEN: (partners[next++] as (typeof partners)[number]).tokens[0] as string });

let server: ServerProcess;
let receiver: WebhookReceiver;
let base: string[];

beforeAll(async () => {
  [server, receiver] = await Promise.all([
    startServerProcess({
      config: { partners },
      args: ['--no-access-log', '--webhook-first-retry', '0.2', '--webhook-max-retry', '0.4'],
    }),
    startWebhookReceiver(),
  ]);
  base = ['--base-url', server.url];
});

afterAll(async () => {
  await Promise.all([server?.stop(), receiver?.close(), stopStandIns()]);
});

const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const row = (output: string, label: string) => new RegExp(`^${label} +(.+)$`, 'm').exec(output)?.[1];

describe('usagebudget webhooks events', () => {
  it("lists the service's events, one a line, or as JSON lines", async () => {
    const auth = fresh();
    const listed = await usagebudget(['webhooks', 'events', ...base], auth);
    expect(listed, listed.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout.trimEnd().split('\n')).toEqual([...WEBHOOK_EVENT_NAMES]);
    const json = await usagebudget(['webhooks', 'events', '--json', ...base], auth);
    expect(jsonLines(json.stdout)).toEqual(WEBHOOK_EVENT_NAMES.map((eventName) => ({ eventName })));
  });
});

describe('usagebudget webhooks register and show', () => {
  it('shows that there is no registration: exit code 3 and the service fault', async () => {
    const shown = await usagebudget(['webhooks', 'show', '--json', ...base], fresh());
    expect(shown.code).toBe(3);
    expect(JSON.parse(shown.stderr)).toMatchObject({
      error: { type: 'NotFoundError', status: 404, code: 'WebhookRegistrationNotFound' },
      exitCode: 3,
    });
  });

  it('registers the budget alert and test-created by default; show prints the same registration', async () => {
    const auth = fresh();
    const registered = await usagebudget(['webhooks', 'register', receiver.url, ...base], auth);
    expect(registered, registered.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(row(registered.stdout, 'URL')).toBe(receiver.url);
    expect(row(registered.stdout, 'Events')).toBe('usagerecords-thresholdExceeded, test-created');
    expect(row(registered.stdout, 'Signature in')).toBe('Authorization');
    const subscriberId = row(registered.stdout, 'Subscriber ID');
    expect(subscriberId).toMatch(/^[0-9a-f-]{36}$/);

    const shown = await usagebudget(['webhooks', 'show', '--json', ...base], auth);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      command: 'webhooks show',
      subscriberId,
      webhookUrl: receiver.url,
      webhookEvents: ['usagerecords-thresholdExceeded', 'test-created'],
      signatureTokenToMsSignatureHeader: false,
      requestId: expect.any(String),
    });
  });

  it('refuses to replace a registration without --update, showing it; --update replaces it whole', async () => {
    const auth = fresh();
    await usagebudget(['webhooks', 'register', receiver.url, ...base], auth);
    const elsewhere = `${receiver.url}?tenant=fabrikam`;
    const again = await usagebudget(['webhooks', 'register', elsewhere, '--event', 'invoice-ready', ...base], auth);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      `the partner has a webhook registration already (it sends usagerecords-thresholdExceeded, test-created to ${receiver.url}): add --update to replace it`,
    );
    expect(row((await usagebudget(['webhooks', 'show', ...base], auth)).stdout, 'URL')).toBe(receiver.url);

    const replaced = await usagebudget(
      [
        'webhooks',
        'register',
        elsewhere,
        '--update',
        '--event',
        'invoice-ready',
        '--event',
        'test-created',
        '--signature-header',
        '--json',
        ...base,
      ],
      auth,
    );
    expect(replaced, replaced.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(replaced.stdout)).toMatchObject({
      command: 'webhooks register',
      webhookUrl: elsewhere,
      webhookEvents: ['invoice-ready', 'test-created'],
      signatureTokenToMsSignatureHeader: true,
    });
  });

  it('--update with no registration is exit code 3: nothing is created', async () => {
    const auth = fresh();
    const update = await usagebudget(['webhooks', 'register', receiver.url, '--update', ...base], auth);
    expect(update.code).toBe(3);
    expect(update.stderr).toContain('WebhookRegistrationNotFound');
    expect((await usagebudget(['webhooks', 'show', ...base], auth)).code).toBe(3);
  });

  it.each([
    ['a relative URL', '/events', /expected an absolute URL/],
    ['an ftp URL', 'ftp://127.0.0.1/events', /expected http or https/],
    ['a URL with a password', 'http://user:secret@127.0.0.1/events', /user name or password/],
    ['a URL with a fragment', 'http://127.0.0.1/events#x', /fragment/],
  ])('refuses %s before sending anything (exit code 2)', async (_, url, message) => {
    const auth = fresh();
    const refused = await usagebudget(['webhooks', 'register', url, ...base], auth);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(message);
    expect(refused.stderr).toContain('Run "usagebudget webhooks register --help" for usage.');
    expect((await usagebudget(['webhooks', 'show', ...base], auth)).code).toBe(3);
  });

  it("reports the service's refusal of an event it does not offer (exit code 1, the property named)", async () => {
    const refused = await usagebudget(
      ['webhooks', 'register', receiver.url, '--event', 'usage-exceeded', ...base],
      fresh(),
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/usage-exceeded is not an event/);
  });

  it('refuses a subcommand it does not have, and options of other commands', async () => {
    const unknown = await usagebudget(['webhooks', 'delete', ...base], fresh());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      '"usagebudget webhooks" takes one of: register, show, events, test, status (got "delete")',
    );
    const misplaced = await usagebudget(['webhooks', 'show', '--event', 'test-created', ...base], fresh());
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain('--event is an option of');
  });
});

describe('usagebudget webhooks test', () => {
  it('--wait follows the test event to its delivery: one line per attempt, then completed (exit code 0)', async () => {
    const auth = fresh();
    await usagebudget(['webhooks', 'register', receiver.url, ...base], auth);
    const before = receiver.deliveries.length;
    const tested = await usagebudget(['webhooks', 'test', '--wait', ...base], auth);
    expect(tested, tested.stderr).toMatchObject({ code: 0, stderr: '' });
    const correlationId = row(tested.stdout, 'Test event');
    expect(tested.stdout).toMatch(/^Attempt 1 {2}\d{4}-\d\d-\d\dT[\d:.]+Z {2}OK$/m);
    expect(row(tested.stdout, 'Status')).toBe('completed');
    expect(row(tested.stdout, 'Receiver')).toBe(receiver.url);
    const [delivery] = (await receiver.waitFor(before + 1)).slice(before);
    expect(JSON.parse(String(delivery?.body))).toMatchObject({
      EventName: 'test-created',
      ResourceUri: `${server.url}/webhooks/v1/registration/validationEvents/${correlationId}`,
    });
    // The same event read again by its correlation ID.
    const status = await usagebudget(['webhooks', 'status', correlationId as string, ...base], auth);
    expect(status, status.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).toMatch(/^Attempt 1 {2}\S+Z {2}OK$/m);
    expect(row(status.stdout, 'Status')).toBe('completed');
  });

  it('webhooks status refuses a correlation ID that is not a GUID (exit code 2) and reports one it does not know (exit code 3)', async () => {
    const auth = fresh();
    const malformed = await usagebudget(['webhooks', 'status', 'not-a-guid', ...base], auth);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('invalid correlation ID "not-a-guid": expected a GUID');
    const unknown = await usagebudget(['webhooks', 'status', '04af2aea-d413-42db-824e-f328001484d1', ...base], auth);
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toContain('ValidationEventNotFound');
  });

  it("--wait ends at --wait-timeout with the event still pending (exit code 1), each failed attempt shown, the receiver's answer escaped", async () => {
    const auth = fresh();
    const failing = await startStandIn((request, response) => {
      request.resume();
      request.once('end', () => response.writeHead(503, { 'content-type': 'text/plain' }).end(HOSTILE));
    });
    await usagebudget(['webhooks', 'register', `${failing.url}/events`, ...base], auth);
    const tested = await usagebudget(['webhooks', 'test', '--wait', '--wait-timeout', '2', ...base], auth);
    expect(tested.code).toBe(1);
    expect(tested.stdout).toContain(`ServiceUnavailable: ${SHOWN}`);
    expect(tested.stdout).toMatch(/^Attempt 1 {2}\S+Z {2}ServiceUnavailable: /m);
    expect(tested.stdout).toMatch(/^Attempt 2 /m);
    for (const raw of RAW_CONTROLS) {
      expect(tested.stdout + tested.stderr).not.toContain(raw);
    }
    expect(row(tested.stdout, 'Status')).toBe('pending');
    expect(tested.stderr).toMatch(/the test event \S+ was not delivered within 2 s \(attempts go on\)/);
    // --json keeps the receiver's text exact.
    const json = await usagebudget(['webhooks', 'test', '--wait', '--wait-timeout', '1', '--json', ...base], auth);
    const attempts = jsonLines(json.stdout).filter((line) => 'attempt' in line);
    expect(attempts.length).toBeGreaterThanOrEqual(1);
    for (const attempt of attempts) expect(attempt.responseMessage).toBe(HOSTILE);
  });

  it('--json prints a line per attempt, then the status', async () => {
    const auth = fresh();
    await usagebudget(['webhooks', 'register', receiver.url, ...base], auth);
    const tested = await usagebudget(['webhooks', 'test', '--wait', '--json', ...base], auth);
    expect(tested, tested.stderr).toMatchObject({ code: 0, stderr: '' });
    const lines = jsonLines(tested.stdout);
    expect(lines.at(0)).toMatchObject({ attempt: 1, responseCode: 'OK', systemError: false });
    expect(lines.at(-1)).toMatchObject({ command: 'webhooks test', status: 'completed', attempts: lines.length - 1 });
  });

  it('needs test-created in the registration: the service says so (exit code 1)', async () => {
    const auth = fresh();
    await usagebudget(['webhooks', 'register', receiver.url, '--event', 'invoice-ready', ...base], auth);
    const tested = await usagebudget(['webhooks', 'test', ...base], auth);
    expect(tested.code).toBe(1);
    expect(tested.stderr).toContain('TestEventNotRegistered');
  });
});
