import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { BudgetUpdate } from '../../src/storage/budget-store.js';
import { migrate } from '../../src/storage/migrations.js';
import { POSTGRES_MIGRATIONS } from '../../src/storage/postgres-migrations.js';
import { openPostgresStore } from '../../src/storage/postgres-store.js';
import type { Store } from '../../src/storage/store.js';
import { increaseCost } from '../../src/usage/cost-changes.js';
import { createEventRaiser } from '../../src/webhooks/event-raiser.js';
import { createThresholdWatch } from '../../src/webhooks/threshold-watch.js';
import { registrationOf, signal, usePostgres } from '../support/store-fixtures.js';

// Several server processes (replicas) on one PostgreSQL database: what they share must hold when
// they act at the same instant. Each replica here is a store of its own, with its own pool.

const postgres = usePostgres('replicas');
const opened: Store[] = [];
const { database } = postgres;
const replicas = async (url: string, count: number) => {
  const stores = await Promise.all(Array.from({ length: count }, () => openPostgresStore(url, { poolSize: 4 })));
  opened.push(...stores);
  return stores;
};
const seed = (partnerId: string, customerIds: readonly string[]) => [
  {
    id: partnerId,
    name: 'Partner',
    billingStart: '2024-05-01T00:00:00+00:00',
    billingEnd: '2024-06-01T00:00:00+00:00',
    currencyLocale: 'en-US',
    customers: customerIds.map((id) => ({
      id,
      companyName: id,
      domain: `${id}.onmicrosoft.com`,
      relationship: 'reseller',
      associatedPartnerId: undefined,
      indirectProvider: undefined,
      usage: undefined,
      budget: null,
    })),
  },
];

afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((store) => store.close()));
});

/**
 * Two replicas on a fresh database, and a partner registered for the threshold event whose 16
 * customers each spend 50 of a budget of 100: the ground of the threshold races below.
 */
async function thresholdRace() {
  const { url } = await database();
  const [first, second] = (await replicas(url, 2)) as [Store, Store];
  const partnerId = randomUUID();
  const customers = Array.from({ length: 16 }, () => randomUUID());
  const [portfolio] = seed(partnerId, customers);
  const usage = {
    offer: 'azurePlan' as const,
    currency: 'USD',
    cost: '50',
    usdCost: '50',
    lastModified: '2024-05-02T00:00:00+00:00',
  };
  await first.seed([
    {
      ...(portfolio as NonNullable<typeof portfolio>),
      customers: (portfolio?.customers ?? []).map((customer) => ({ ...customer, usage, budget: '100' })),
    },
  ]);
  await first.createRegistration(registrationOf(partnerId));
  const thresholds = createThresholdWatch(
    createEventRaiser(() => {}),
    () => 'http://127.0.0.1/v1/customers/usagerecords',
  );
  return { first, second, partnerId, customers, thresholds };
}

type Race = Awaited<ReturnType<typeof thresholdRace>>;

/** The cost of a customer grown to 150 (past its budget of 100: a crossing) on `second`, its transaction held open until `resume()`. */
async function holdGrownCost({ second, partnerId, thresholds }: Race, customerId: string) {
  const [resume, evaluated] = [signal(), signal()];
  const grown = second.transaction(async (tx) => {
    await tx.setUsageCost(partnerId, customerId, {
      cost: '150',
      usdCost: '150',
      lastModified: new Date().toISOString(),
    });
    await thresholds.evaluate(tx, partnerId, customerId, new Date());
    evaluated.fire();
    await resume.fired;
  });
  await evaluated.fired;
  return { resume: () => resume.fire(), grown };
}

/** A budget update as a PATCH runs it in a transaction: applied, then the standing it returns evaluated. */
async function updateEvaluated({ first, thresholds }: Race, update: BudgetUpdate) {
  await first.transaction(async (tx) => {
    const applied = await tx.update(update);
    if (applied.kind !== 'applied') throw new Error(`not applied: ${applied.kind}`);
    await thresholds.evaluateStanding(tx, applied.standing, new Date());
  });
}

describe('replicas on one PostgreSQL database', () => {
  it('migrate once when three start at once: one runs each migration, the others wait and find it done', async () => {
    const { name, url } = await database();
    await replicas(url, 3);
    const versions = await postgres.current().psql('SELECT version FROM schema_migrations ORDER BY version', name);
    expect(versions.split('\n').map(Number)).toEqual(POSTGRES_MIGRATIONS.map(({ version }) => version));
  });

  it.each([
    ['in a transaction', (store: Store, update: BudgetUpdate) => store.update(update)],
    [
      'quietly (one statement of its own)',
      (store: Store, update: BudgetUpdate) => store.updateQuietly?.(update, () => true),
    ],
  ])(
    'apply a PATCH %s sent to two of them with the same MS-RequestId at the same instant once, and answer the other as a replay',
    async (_way, apply) => {
      const { name, url } = await database();
      const [first, second] = (await replicas(url, 2)) as [Store, Store];
      const partnerId = randomUUID();
      const customers = Array.from({ length: 20 }, () => randomUUID());
      await first.seed(seed(partnerId, customers));
      const outcomes = await Promise.all(
        customers.flatMap((customerId) => {
          const update = { partnerId, requestId: randomUUID(), customerId, amount: '42', response: '{"amount":42}' };
          return [apply(first, update), apply(second, update)];
        }),
      );
      const kinds = outcomes.map((outcome) => outcome?.kind);
      expect(kinds.filter((kind) => kind === 'applied')).toHaveLength(customers.length);
      expect(kinds.filter((kind) => kind === 'replayed')).toHaveLength(customers.length);
      expect(
        outcomes.every((outcome) => outcome && 'response' in outcome && outcome.response === '{"amount":42}'),
      ).toBe(true);
      expect(await postgres.current().psql('SELECT count(*) FROM budget_applies', name)).toBe(String(customers.length));
    },
  );

  it('apply nothing quietly when the threshold would have work: the update is left to the transaction', async () => {
    const { name, url } = await database();
    const [store] = (await replicas(url, 1)) as [Store];
    const partnerId = randomUUID();
    const customerId = randomUUID();
    await store.seed(seed(partnerId, [customerId]));
    const update = { partnerId, requestId: randomUUID(), customerId, amount: '42', response: '{}' };
    expect(await store.updateQuietly?.(update, () => false)).toBeUndefined();
    expect(await store.readAmount(partnerId, customerId)).toBeNull();
    expect(await postgres.current().psql('SELECT count(*) FROM replays', name)).toBe('0');
  });

  it("share each partner's throttle: three of them taking at once let the burst through, once", async () => {
    const { url } = await database();
    const stores = await replicas(url, 3);
    // One token in 1,000 s: none comes back while the test runs.
    const limits = { requestsPerSecond: 0.001, burst: 5 };
    const waits = await Promise.all(
      Array.from({ length: 30 }, (_, index) => (stores[index % 3] as Store).takeToken('shared', limits)),
    );
    expect(waits.filter((wait) => wait === 0)).toHaveLength(5);
    expect(waits.filter((wait) => wait > 0)).toHaveLength(25);
  });

  it('hand each due webhook event to one of them when they claim at once', async () => {
    const { url } = await database();
    const [first, second] = (await replicas(url, 2)) as [Store, Store];
    const partnerId = randomUUID();
    const now = Date.now();
    for (let index = 0; index < 40; index++) {
      await first.enqueueEvent({
        eventId: randomUUID(),
        partnerId,
        eventName: 'test-created',
        body: `{"n":${index}}`,
        correlationId: undefined,
        callbackUrl: 'http://127.0.0.1:9/',
        raisedAt: now,
      });
    }
    const claimed: string[][] = [[], []];
    for (let round = 0; round < 5; round++) {
      const claims = await Promise.all(
        [first, second].map((store, replica) =>
          store.claimDeliveries({ owner: `replica-${replica}`, now: Date.now(), leaseMs: 60_000, limit: 5 }),
        ),
      );
      for (const [replica, deliveries] of claims.entries()) {
        claimed[replica]?.push(...deliveries.map(({ eventId }) => eventId));
      }
    }
    const all = [...(claimed[0] ?? []), ...(claimed[1] ?? [])];
    expect(all).toHaveLength(40);
    expect(new Set(all).size).toBe(40);
    // Leased: nothing is due again until the leases end.
    expect(await first.claimDeliveries({ owner: 'replica-0', now: Date.now(), leaseMs: 60_000, limit: 5 })).toEqual([]);
  });
  it('raise one threshold event when a budget lowered below the cost and a cost grown past the budget race on two of them', async () => {
    const { first, second, partnerId, customers, thresholds } = await thresholdRace();
    // For each customer: one replica lowers its budget below its cost (50, budget 10) and, its
    // transaction still open, the other grows the cost past the budget (50 + 100 > 100), waiting
    // on the first. Either is a crossing; together, one.
    await Promise.all(
      customers.map(async (customerId) => {
        const [resume, evaluated] = [signal(), signal()];
        const lowered = first.transaction(async (tx) => {
          await tx.update({ partnerId, requestId: randomUUID(), customerId, amount: '10', response: '{}' });
          await thresholds.evaluate(tx, partnerId, customerId, new Date());
          evaluated.fire();
          await resume.fired;
        });
        await evaluated.fired;
        const grown = increaseCost(second, thresholds, partnerId, customerId, { cost: '100' });
        await new Promise((resolve) => setTimeout(resolve, 50));
        resume.fire();
        await Promise.all([lowered, grown]);
      }),
    );
    const events = await first.webhookEvents({ partnerId });
    expect(events).toHaveLength(customers.length);
  });

  it('raise one threshold event when a cost grown past the budget holds the customer while a PATCH lowering the budget waits: the PATCH reads the standing once it holds the lock', async () => {
    const race = await thresholdRace();
    const { partnerId, customers } = race;
    // The reverse of the race above, the way a PATCH runs it (the standing the update returns):
    // one replica grows the cost past the budget (150 > 100) and, its transaction still open with
    // the crossing recorded, the other lowers the budget to 10, waiting on the customer's row. A
    // standing read before the lock was held would miss the crossing and raise a second event.
    await Promise.all(
      customers.map(async (customerId) => {
        const { resume, grown } = await holdGrownCost(race, customerId);
        const lowered = updateEvaluated(race, {
          partnerId,
          requestId: randomUUID(),
          customerId,
          amount: '10',
          response: '{}',
        });
        await new Promise((resolve) => setTimeout(resolve, 50));
        resume();
        await Promise.all([grown, lowered]);
      }),
    );
    const first = race.first;
    const events = await first.webhookEvents({ partnerId });
    expect(events).toHaveLength(customers.length);
  });

  it('leave a quiet PATCH to the transaction when the standing it read changed before it held the lock: a budget raised over a cost grown past the old one records the customer back under budget', async () => {
    const race = await thresholdRace();
    const { first, partnerId, customers, thresholds } = race;
    // Cost 50, budget 100. One replica grows the cost to 150 (over: a crossing recorded, an event
    // raised), its transaction still open; the other raises the budget to 200 quietly, having read
    // the standing before (cost 50: quiet), and waits on the customer's row. Applied without a
    // look at the standing once held, the crossing would still say "over" under a budget of 200,
    // and the next crossing of the period (cost 250) would raise nothing.
    const customerId = customers[0] as string;
    const { resume, grown } = await holdGrownCost(race, customerId);
    const update = { partnerId, requestId: randomUUID(), customerId, amount: '200', response: '{}' };
    const quietly = first.updateQuietly?.(update, thresholds.isQuiet);
    await new Promise((resolve) => setTimeout(resolve, 50));
    resume();
    await grown;
    expect(await quietly).toBeUndefined();
    await updateEvaluated(race, update);
    expect((await first.usageStanding(partnerId, customerId))?.crossing?.overBudget).toBe(false);
    await increaseCost(first, thresholds, partnerId, customerId, { cost: '100' });
    expect(await first.webhookEvents({ partnerId })).toHaveLength(2);
  });
});

/**
 * Tables only PostgreSQL has, each for a reason SQLite does not share: whatever else one engine
 * has and the other lacks fails the comparison below.
 */
const POSTGRES_ONLY_TABLES = [
  // The per-partner throttle shared by replicas; SQLite's server is the file's only process, and
  // keeps its buckets in memory (http/throttle.ts).
  'throttle_buckets',
];

describe('the PostgreSQL schema', () => {
  it('has the tables and columns of the SQLite schema, in the same order, but for its own tables: a migration made to one engine only fails here', async () => {
    const sqlite = new Database(':memory:');
    migrate(sqlite);
    const tables = sqlite
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all()
      .map(({ name }) => name);
    const sqliteColumns = tables.map((table) =>
      [
        table,
        ...sqlite
          .prepare<[], { name: string }>(`PRAGMA table_info("${table}")`)
          .all()
          .map(({ name }) => name),
      ].join(' '),
    );
    sqlite.close();
    const { name, url } = await database();
    opened.push(await openPostgresStore(url));
    const postgresColumns = await postgres.current().psql(
      `SELECT table_name || ' ' || string_agg(column_name::text, ' ' ORDER BY ordinal_position) FROM information_schema.columns
         WHERE table_schema = 'public' GROUP BY table_name ORDER BY table_name`,
      name,
    );
    const [shared, own] = postgresColumns
      .split('\n')
      .reduce<[string[], string[]]>(
        ([common, only], line) =>
          POSTGRES_ONLY_TABLES.includes(line.split(' ')[0] as string)
            ? [common, [...only, line]]
            : [[...common, line], only],
        [[], []],
      );
    expect(shared).toEqual(sqliteColumns);
    // Listed tables exist: the list does not outlive them.
    expect(own.map((line) => line.split(' ')[0])).toEqual(POSTGRES_ONLY_TABLES);
  });
});
