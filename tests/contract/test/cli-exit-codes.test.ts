// The usagebudget CLI (@usagebudget/cli) against the spec's documented faults: each arrives as
// the exit code the CLI documents. It lives here, not in the CLI's package, because it needs the
// Prism mock, which only this private side of the repository may depend on.
import { startPrism } from '@usagebudget/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usagebudget } from '../src/cli-runner.js';
import { startStatusPicker } from '../src/status-picker.js';

const CUSTOMER = '0c39d6d5-c70d-4c55-bc02-f620844f3fd1';
// Prism checks that a bearer token is sent, not which.
const env = { PARTNER_CENTER_TOKEN: 'prism-accepts-any-token' };

let prism: Awaited<ReturnType<typeof startPrism>>;
let picker: Awaited<ReturnType<typeof startStatusPicker>>;

beforeAll(async () => {
  prism = await startPrism({ mode: 'mock' });
  picker = await startStatusPicker(prism.url);
});

afterAll(async () => {
  await picker?.close();
  await prism?.stop();
});

/** The CLI against the spec's example response for `status`, without retries. */
function answeredWith(status: number, ...args: string[]) {
  return usagebudget([...args, '--base-url', `${picker.url}/status/${status}`, '--retries', '0'], env);
}

describe("usagebudget against the Prism mock of the spec's responses", () => {
  it('shows the 200 example', async () => {
    const run = await answeredWith(200, 'get', CUSTOMER);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Budget {6}\d+\.\d{2}$/m);
  });

  it.each([
    [404, 3, 'not found (HTTP 404)'],
    [401, 4, 'authentication failed (HTTP 401)'],
    [403, 4, 'permission denied (HTTP 403)'],
    [429, 5, 'throttled (HTTP 429)'],
    [500, 1, 'the service failed (HTTP 500)'],
  ])('maps %d to exit code %d', async (status, exitCode, title) => {
    for (const args of [
      ['get', CUSTOMER],
      ['set', CUSTOMER, '250.50'],
      ['clear', CUSTOMER],
    ]) {
      const run = await answeredWith(status, ...args);
      expect(run.code, args[0]).toBe(exitCode);
      expect(run.stderr).toContain(`usagebudget: ${title}\n`);
      expect(run.stderr).toMatch(/^ {2}Description {3,}\S/m);
      expect(run.stderr).toMatch(/^ {2}Request ID {3,}[0-9a-f-]{36}$/m);
    }
  });

  it('gives the same mapping under --json, with the fault on stderr', async () => {
    const run = await answeredWith(404, 'get', CUSTOMER, '--json');
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(JSON.parse(run.stderr)).toEqual({
      error: expect.objectContaining({ type: 'NotFoundError', status: 404, description: expect.any(String) }),
      exitCode: 3,
    });
  });
});
