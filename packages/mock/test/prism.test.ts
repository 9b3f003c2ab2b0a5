import { createServer } from 'node:net';
import * as testing from '@usagebudget/server/testing';
import { describe, expect, it, vi } from 'vitest';
import { startPrism } from '../src/prism.js';

// The free port startPrism picks can be taken before Prism binds it: the test hands it a taken one.
vi.mock('@usagebudget/server/testing', async (importOriginal) => {
  const actual = await importOriginal<typeof testing>();
  return { ...actual, freePort: vi.fn(actual.freePort) };
});

describe('startPrism', () => {
  it('serves the bundled spec and releases its port when stopped', async () => {
    const prism = await startPrism();
    const port = Number(new URL(prism.url).port);
    const response = await fetch(`${prism.url}/v1/customers/0c39d6d5-c70d-4c55-bc02-f620844f3fd1/usagebudget`, {
      headers: { Authorization: 'Bearer test', Prefer: 'example=budgetSet' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ amount: 100, usageSpendingBudget: 100 });
    await prism.stop();
    expect(await testing.portIsFree(port)).toBe(true);
  });

  it('starts on another free port when another process takes the one it picked first', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as { port: number }).port;
    vi.mocked(testing.freePort).mockClear().mockResolvedValueOnce(taken);
    try {
      const prism = await startPrism();
      const port = Number(new URL(prism.url).port);
      expect(port).not.toBe(taken);
      expect(vi.mocked(testing.freePort)).toHaveBeenCalledTimes(2); // the taken one, then the next
      await prism.stop();
      expect(await testing.portIsFree(port)).toBe(true);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
