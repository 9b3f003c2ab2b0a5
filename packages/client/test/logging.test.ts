import { afterEach, describe, expect, it, vi } from 'vitest';
import { ValidationError } from '../src/index.js';
import { clientOf, failure } from './support/client-of.js';
import { budget, TENANT, useFaultServer } from './support/fault-server.js';

const server = useFaultServer();

/** A logger that keeps every line with its level and fields. */
function recordingLogger() {
  const lines: { level: string; line: string; fields: Record<string, unknown> | undefined }[] = [];
  const at = (level: string) => (line: string, fields?: Record<string, unknown>) => lines.push({ level, line, fields });
  return { lines, logger: { error: at('error'), warn: at('warning'), info: at('info'), debug: at('debug') } };
}

afterEach(() => {
  delete process.env.USAGEBUDGET_LOG;
  vi.restoreAllMocks();
});

describe('logs', () => {
  it('at info: one line per attempt with operation, status, duration and the ids, a warning per retry', async () => {
    const { lines, logger } = recordingLogger();
    server.enqueue(
      {
        status: 503,
        json: { code: 800003, description: 'busy' },
        headers: { 'MS-CorrelationId': 'c0ffee00-0000-4000-8000-000000000000' },
      },
      { status: 200, json: budget(3) },
    );
    await clientOf(server, { logger, logLevel: 'info' }).getBudget(TENANT);
    const requestId = server.requests[0]?.headers['ms-requestid'];
    expect(lines.map(({ level }) => level)).toEqual(['warning', 'warning', 'info']);
    expect(lines[0]?.line).toMatch(
      new RegExp(
        `^usagebudget: getUsageBudget ${TENANT} attempt 1: 503 in \\d+ ms \\(MS-RequestId ${requestId}, MS-CorrelationId c0ffee00-0000-4000-8000-000000000000\\)$`,
      ),
    );
    expect(lines[1]?.line).toMatch(/failed \(ServerError 800003\), retry 1 in \d+(\.\d+)? ms$/);
    expect(lines[2]?.fields).toMatchObject({ operation: 'getUsageBudget', status: 200, attempt: 2, requestId });
    expect(lines[2]?.fields?.durationMs).toEqual(expect.any(Number));
  });

  it('at warning: no line for a call that succeeds; at error: only the failures the policy does not retry', async () => {
    const { lines, logger } = recordingLogger();
    server.enqueue({ status: 200, json: budget(1) }, { status: 404, json: { code: 600026, description: 'Not found' } });
    await clientOf(server, { logger, logLevel: 'warning' }).getBudget(TENANT);
    expect(lines).toEqual([]);
    await failure(clientOf(server, { logger, logLevel: 'error' }).getBudget(TENANT));
    expect(lines.map(({ level, fields }) => [level, fields?.status])).toEqual([['error', 404]]);
  });

  it("logs an attempt the caller aborted at info, not as a warning: nothing went wrong (the CLI's Ctrl-C)", async () => {
    const { lines, logger } = recordingLogger();
    server.enqueue({ hang: true });
    const controller = new AbortController();
    const call = clientOf(server, { logger, logLevel: 'debug' }).getBudget(TENANT, { signal: controller.signal });
    await vi.waitFor(() => expect(server.requests).toHaveLength(1), { timeout: 10_000 });
    controller.abort();
    expect((await failure(call)).name).toBe('AbortError');
    const attempt = lines.find(({ line }) => line.includes('attempt 1: no response'));
    expect(attempt?.level).toBe('info');
    expect(lines.filter(({ level }) => level === 'warning' || level === 'error')).toEqual([]);
  });

  it('never writes a body, the token or another header, whatever the service echoes', async () => {
    const { lines, logger } = recordingLogger();
    const TOKEN = 'TOKEN-SECRET-3b9d';
    const echo = (request: { headers: Record<string, unknown> }) => ({
      status: 401,
      json: { code: 'BODY-SECRET', description: `denied ${String(request.headers.authorization)} BODY-SECRET` },
      headers: { 'X-Secret': 'HEADER-SECRET', 'WWW-Authenticate': 'Bearer error="HEADER-SECRET"' },
    });
    server.enqueue(echo, echo);
    await failure(clientOf(server, { logger, logLevel: 'debug', credential: async () => TOKEN }).getBudget(TENANT));
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const written = JSON.stringify(lines);
    for (const secret of [TOKEN, 'HEADER-SECRET', 'denied', 'Bearer']) expect(written).not.toContain(secret);
  });

  it('reads USAGEBUDGET_LOG when the option is absent, to standard error without a logger', async () => {
    process.env.USAGEBUDGET_LOG = 'INFO';
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0);
    server.enqueue({ status: 200, json: budget(2) });
    await clientOf(server).getBudget(TENANT);
    expect(written).toEqual([
      expect.stringMatching(/^usagebudget: getUsageBudget \S+ attempt 1: 200 in \d+ ms \(MS-RequestId /),
    ]);
  });

  it('refuses an unknown logLevel with a ValidationError, and ignores an unknown USAGEBUDGET_LOG with a word', async () => {
    const error = await failure(clientOf(server, { logLevel: 'verbose' as never }).getBudget(TENANT));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toBe('logLevel must be one of error, warning, info, debug');
    process.env.USAGEBUDGET_LOG = 'loud';
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0);
    server.enqueue({ status: 200, json: budget(2) });
    await clientOf(server).getBudget(TENANT);
    expect(written).toEqual(['usagebudget: USAGEBUDGET_LOG="loud" ignored: use error, warning, info, debug\n']);
  });
});
