import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomPartner, readBudgetApplies, type ServerProcess, startServerProcess } from '@usagebudget/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { concurrentMap } from '../src/bulk/concurrent-map.js';
import {
  AdaptiveThrottle,
  applyBudgets,
  type BudgetEntry,
  type BudgetResult,
  bulkRequestId,
  canonicalAmount,
  readBudgets,
} from '../src/bulk.js';
import { bulkDefaults, UsageBudgetClient, ValidationError } from '../src/index.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('bulkRequestId', () => {
  it('is a version 5 UUID fixed by the run, the customer and the amount', async () => {
    const run = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
    const customer = '0c39d6d5-c70d-4c55-bc02-f620844f3fd1';
    const id = await bulkRequestId(run, customer, '250.5');
    expect(id).toMatch(GUID);
    expect(await bulkRequestId(run.toUpperCase(), customer.toUpperCase(), '250.5')).toBe(id);
    expect(await bulkRequestId(run, customer, '250.51')).not.toBe(id);
    expect(await bulkRequestId(run, customer, null)).not.toBe(id);
    expect(await bulkRequestId('7ba7b810-9dad-11d1-80b4-00c04fd430c8', customer, '250.5')).not.toBe(id);
  });
});

describe('canonicalAmount', () => {
  it('reads a number >= 0, or text in the one spelling of amounts, as its exact decimal', () => {
    expect(canonicalAmount(250.5)).toBe('250.5');
    expect(canonicalAmount(' 250.50 ')).toBe('250.5');
    expect(canonicalAmount('0')).toBe('0');
    expect(canonicalAmount(null)).toBeNull();
    for (const other of [
      '.5',
      '5.',
      '1e3',
      '1,5',
      '-1',
      '+1',
      '',
      'x',
      -1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      true,
    ]) {
      expect(canonicalAmount(other), String(other)).toBeUndefined();
    }
    // More digits than a JSON number carries: it would be rounded.
    expect(canonicalAmount('12345678901234567.5')).toBeUndefined();
  });
});

describe('the concurrency of the bulk operations', () => {
  const client = new UsageBudgetClient({ baseURL: 'http://127.0.0.1:9', credential: 'unused' });

  it(`is 1 to bulkDefaults.maxConcurrency (${bulkDefaults.maxConcurrency}), 16 by default, in applyBudgets and readBudgets alike`, async () => {
    expect(bulkDefaults).toEqual({ concurrency: 16, maxConcurrency: 64 });
    for (const concurrency of [0, bulkDefaults.maxConcurrency + 1, 1.5]) {
      expect(() => applyBudgets(client, [], { concurrency })).toThrow(ValidationError);
      await expect(readBudgets(client, ['0c39d6d5-c70d-4c55-bc02-f620844f3fd1'], { concurrency })).rejects.toThrow(
        /^concurrency must be an integer from 1 to 64/,
      );
    }
    expect(applyBudgets(client, [], { concurrency: bulkDefaults.maxConcurrency }).runId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('concurrentMap', () => {
  it('never runs more than its concurrency at once, and yields every result once', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    const work = async (n: number) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, n % 3));
      running--;
      return n * 2;
    };
    for await (const value of concurrentMap(
      Array.from({ length: 50 }, (_, i) => i),
      4,
      work,
    ))
      seen.push(value);
    expect(peak).toBeLessThanOrEqual(4);
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i * 2));
  });

  it('starts nothing once aborted, and finishes what it started', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const results: number[] = [];
    const work = async (n: number) => {
      started.push(n);
      if (n === 5) controller.abort();
      await new Promise((resolve) => setTimeout(resolve, 1));
      return n;
    };
    for await (const value of concurrentMap(
      Array.from({ length: 100 }, (_, i) => i),
      3,
      work,
      controller.signal,
    )) {
      results.push(value);
    }
    expect(started.length).toBeLessThan(100);
    expect(results.sort((a, b) => a - b)).toEqual([...started].sort((a, b) => a - b));
  });
});

describe('bulk budgets against the reference server', () => {
  const partner = randomPartner('Bulk partner', 40);
  const noUsage = '2f0c1a3e-9d84-4b7e-8c65-1a2b3c4d5e6f';
  let server: ServerProcess;
  let dir: string;
  let client: UsageBudgetClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'usagebudget-bulk-'));
    server = await startServerProcess({
      config: { partners: [{ ...partner, customers: [...partner.customers, { id: noUsage, offer: 'none' }] }] },
      db: join(dir, 'server.sqlite'),
      // Five requests at once, then ten a second: far below what 8 workers ask for.
      args: ['--rate-limit', '10', '--burst', '5', '--no-access-log'],
    });
    client = new UsageBudgetClient({ baseURL: server.url, credential: partner.tokens[0] as string, maxRetries: 10 });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const target = (index: number) => (index % 4 === 3 ? null : `${100 + index}.25`);

  // One run of the partner's portfolio, in phases that build on each other: each phase is a test
  // of its own, so that a failure names the phase.
  describe('applies every entry once through a shared throttle, aborts gracefully and resumes with the same request ids', () => {
    const entries: BudgetEntry[] = partner.customers.map((customerTenantId, index) => ({
      customerTenantId,
      amount: target(index),
    }));
    let pauses = 0;
    const throttle = new AdaptiveThrottle({ onPause: () => pauses++ });
    const sentFirst = new Map<string, string>();
    let runId: string;
    let budgets: Map<string, number | null>;

    it('aborted: starts nothing new, and finishes and reports everything it started', async () => {
      const controller = new AbortController();
      const first: BudgetResult[] = [];
      const run = applyBudgets(client, entries, {
        concurrency: 8,
        throttle,
        signal: controller.signal,
        onSend: (entry, requestId) => {
          sentFirst.set(entry.customerTenantId, requestId);
        },
      });
      runId = run.runId;
      for await (const result of run) {
        first.push(result);
        if (first.length === 15) controller.abort();
      }
      expect(first.length).toBeGreaterThanOrEqual(15);
      expect(first.length).toBeLessThan(entries.length);
      expect(first.map((result) => result.entry.customerTenantId).sort()).toEqual([...sentFirst.keys()].sort());
      expect(first.every((result) => result.outcome === 'changed' || result.outcome === 'cleared')).toBe(true);
    });

    it('resumed with the same run id: every entry again, the ones sent before with the same request ids', async () => {
      const sentAgain = new Map<string, string>();
      const second: BudgetResult[] = [];
      for await (const result of applyBudgets(client, entries, {
        runId,
        concurrency: 8,
        throttle,
        onSend: (entry, requestId) => {
          sentAgain.set(entry.customerTenantId, requestId);
        },
      })) {
        second.push(result);
      }
      expect(second.map((result) => result.outcome).filter((outcome) => outcome === 'failed')).toEqual([]);
      expect(second).toHaveLength(entries.length);
      for (const [customerTenantId, requestId] of sentFirst) expect(sentAgain.get(customerTenantId)).toBe(requestId);
    });

    it('hit the throttle, and each 429 paused everyone: at most one refusal per worker per pause', () => {
      expect(throttle.state.throttled).toBeGreaterThan(0);
      expect(pauses).toBeGreaterThan(0);
      expect(throttle.state.throttled).toBeLessThanOrEqual(pauses * 8);
      expect(throttle.state.rate).toBeDefined();
    });

    it('reads every budget back, a customer the usage records leave out on its own', async () => {
      budgets = await readBudgets(client, [...partner.customers, noUsage], { throttle });
      partner.customers.forEach((customerTenantId, index) => {
        const amount = target(index);
        expect(budgets.get(customerTenantId)).toBe(amount === null ? null : Number(amount));
      });
      // Not in the usage records (no usage-based subscription): read on its own.
      expect(budgets.get(noUsage)).toBeNull();
    });

    it('sends nothing for entries equal to what is now current', async () => {
      const unchanged: BudgetResult[] = [];
      for await (const result of applyBudgets(
        client,
        entries.map((entry) => ({ ...entry, current: budgets.get(entry.customerTenantId) })),
        { throttle },
      )) {
        unchanged.push(result);
      }
      expect(unchanged.every((result) => result.outcome === 'unchanged')).toBe(true);
    });

    it("applied every update exactly once, by the server's record", async () => {
      await server.stop();
      const applies = readBudgetApplies(join(dir, 'server.sqlite'));
      const perCustomer = new Map<string, number>();
      for (const apply of applies) perCustomer.set(apply.customerId, (perCustomer.get(apply.customerId) ?? 0) + 1);
      expect([...perCustomer.keys()].sort()).toEqual([...partner.customers].sort());
      expect([...perCustomer.values()].every((count) => count === 1)).toBe(true);
    });
  });

  it('reports an invalid entry as failed and sends nothing for it', async () => {
    const results: BudgetResult[] = [];
    for await (const result of applyBudgets(client, [
      { customerTenantId: 'not-a-guid', amount: '1' },
      { customerTenantId: partner.customers[0] as string, amount: '-5' },
      { customerTenantId: partner.customers[0] as string, amount: '12345678901234567.5' },
    ])) {
      results.push(result);
    }
    expect(results.map((result) => [result.outcome, result.error?.name])).toEqual([
      ['failed', 'ValidationError'],
      ['failed', 'ValidationError'],
      ['failed', 'ValidationError'],
    ]);
  });
});
