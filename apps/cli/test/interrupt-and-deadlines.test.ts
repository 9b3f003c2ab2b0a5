import type { IncomingMessage, ServerResponse } from 'node:http';
import { demoPartner } from '@usagebudget/server/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ended, usagebudget, usagebudgetSignalled } from './support/run.js';
import { never, startStandIn, stopStandIns } from './support/stand-in.js';

// Ctrl-C (a real SIGINT to the CLI's pid) and the deadlines of --timeout and --total-timeout,
// against stand-in servers that hold the call. Generous bounds: a CLI that ignores them runs
// until the runner kills it (RUN_LIMIT_MS), and then has no exit code at all.
const customer = demoPartner.customerId;
const auth = { PARTNER_CENTER_TOKEN: 'stand-in-token' };
const RUN_LIMIT_MS = 30_000;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

afterEach(stopStandIns);

/** Runs the CLI and sends it SIGINT, by its pid, once `when` resolves. */
const interruptedRun = (args: string[], when: Promise<unknown>, env: NodeJS.ProcessEnv = auth) =>
  usagebudgetSignalled(args, env, 'SIGINT', when, RUN_LIMIT_MS);

/**
 * `get --json` whose --token-command tells a stand-in its pid, then sleeps far longer than the
 * test: the run, sent `signal` once the command runs, and the command's pid.
 */
async function signalledDuringTokenCommand(signal: NodeJS.Signals) {
  const { url, arrived } = await startStandIn((_, response) => response.end());
  const tokenCommand = `"${process.execPath}" -e "fetch('${url}/started?pid='+process.pid).then(() => setTimeout(() => {}, 600000))"`;
  const args = ['get', customer, '--base-url', url, '--json', '--token-command', tokenCommand];
  const run = await usagebudgetSignalled(args, {}, signal, arrived, RUN_LIMIT_MS);
  return { run, commandPid: Number(new URL((await arrived).url ?? '', url).searchParams.get('pid')) };
}

describe('Ctrl-C', () => {
  it('exits 130 with one JSON error line under --json', async () => {
    const { url, arrived } = await startStandIn(never);
    const run = await interruptedRun(['set', customer, '5', '--base-url', url, '--json'], arrived);
    const request = await arrived;
    expect(run.code).toBe(130);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toEqual({
      error: {
        type: 'AbortError',
        message: 'the call was aborted',
        status: null,
        code: null,
        description: null,
        requestId: request.headers['ms-requestid'],
        correlationId: expect.stringMatching(GUID),
      },
      exitCode: 130,
    });
  });

  it('exits 130 and says the change may have been applied, without --json', async () => {
    const { url, arrived } = await startStandIn(never);
    const run = await interruptedRun(['clear', customer, '--base-url', url], arrived);
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/^usagebudget: interrupted\n/);
    expect(run.stderr).toContain('A set or clear may still have been applied');
  });

  it('stops a --token-command that is still running, and exits 130', async () => {
    const { run, commandPid } = await signalledDuringTokenCommand('SIGINT');
    expect(run.code).toBe(130);
    expect(JSON.parse(run.stderr)).toMatchObject({ error: { type: 'AbortError' }, exitCode: 130 });
    expect(commandPid).toBeGreaterThan(0);
    expect(await ended(commandPid)).toBe(true);
  });
});

describe('SIGTERM', () => {
  it('ends a command other than apply at once, as it ends any program: no report, no exit code', async () => {
    const { url, arrived } = await startStandIn(never);
    const run = await usagebudgetSignalled(
      ['set', customer, '5', '--base-url', url, '--json'],
      auth,
      'SIGTERM',
      arrived,
      RUN_LIMIT_MS,
    );
    expect(run).toMatchObject({ code: null, signal: 'SIGTERM', stdout: '', stderr: '' });
  });

  it('stops a --token-command that is still running before the CLI ends', async () => {
    const { run, commandPid } = await signalledDuringTokenCommand('SIGTERM');
    expect(run).toMatchObject({ code: null, signal: 'SIGTERM', stdout: '' });
    expect(commandPid).toBeGreaterThan(0);
    expect(await ended(commandPid)).toBe(true);
  });
});

describe('Ctrl-C during a listing', () => {
  it('stops customers between its pages: the lines printed stay valid, then one JSON error line and 130', async () => {
    let second: (request: IncomingMessage) => void = () => {};
    const secondArrived = new Promise<IncomingMessage>((resolve) => {
      second = resolve;
    });
    const { url } = await startStandIn((request, response) => {
      if (request.headers['ms-continuationtoken']) return second(request);
      const next = {
        uri: '/v1/customers?seekOperation=Next',
        method: 'GET',
        headers: [{ key: 'MS-ContinuationToken', value: 't' }],
      };
      // A page as the spec has it: the CLI checks every body against the spec.
      const item = {
        id: customer,
        companyProfile: { tenantId: customer, companyName: 'Contoso', domain: 'contoso.example', attributes: {} },
        relationshipToPartner: 'reseller',
        attributes: {},
      };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ totalCount: 1, items: [item], links: { next }, continuationToken: 't', attributes: {} }),
      );
    });
    const run = await interruptedRun(['customers', '--base-url', url, '--json'], secondArrived);
    expect(run.code).toBe(130);
    expect(
      run.stdout
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { customerId: customer, customerName: 'Contoso', domain: 'contoso.example', relationshipToPartner: 'reseller' },
    ]);
    expect(JSON.parse(run.stderr)).toMatchObject({
      error: { type: 'AbortError', requestId: (await secondArrived).headers['ms-requestid'] },
      exitCode: 130,
    });
  });
});

describe('deadlines', () => {
  const trickle = (_: IncomingMessage, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{');
    const timer = setInterval(() => response.write(' '), 100);
    response.on('close', () => clearInterval(timer));
  };

  it('ends a trickling answer at --timeout, with exit code 1', async () => {
    const { url } = await startStandIn(trickle);
    const run = await usagebudget(
      ['get', customer, '--base-url', url, '--json', '--timeout', '1', '--retries', '0'],
      auth,
      {
        timeoutMs: RUN_LIMIT_MS,
      },
    );
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stderr)).toMatchObject({
      error: { type: 'TimeoutError', message: 'no response within 1000 ms' },
      exitCode: 1,
    });
  });

  it('ends the whole command at --total-timeout, retries included', async () => {
    const { url } = await startStandIn(trickle);
    const run = await usagebudget(
      ['get', customer, '--base-url', url, '--json', '--timeout', '60', '--retries', '3', '--total-timeout', '1'],
      auth,
      { timeoutMs: RUN_LIMIT_MS },
    );
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stderr)).toMatchObject({
      error: { type: 'TimeoutError', message: expect.stringContaining('within 1000 ms (totalTimeoutMs)') },
    });
  });
});
