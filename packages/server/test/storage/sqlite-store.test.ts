import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/storage/sqlite-store.js';
import type { Store } from '../../src/storage/store.js';
import { pausedTransaction, twoCustomers } from '../support/store-fixtures.js';

// What only the SQLite engine does: its one connection makes the store's calls wait for an open
// transaction, and transactions run one after another (on PostgreSQL each has a connection of its
// own). The behaviour both engines share is in store.test.ts.
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
});

describe('the SQLite store, one transaction at a time', () => {
  it("keeps the store's other calls out of an open transaction: they wait for it, and are not undone with it", async () => {
    store = openSqliteStore(':memory:');
    const { opened, mine, first, second, change } = await twoCustomers(store);
    const transaction = pausedTransaction(opened, first, change);
    await transaction.inside;
    const settledOutside: string[] = [];
    const outsideWrite = opened.update(change(second, '2')).finally(() => settledOutside.push('write'));
    const outsideRead = opened.readAmount(mine.id, first).finally(() => settledOutside.push('read'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settledOutside).toEqual([]);
    transaction.resume();
    await expect(transaction.ended).rejects.toThrow('rolled back');
    expect(await outsideWrite).toMatchObject({ kind: 'applied' });
    // The read waited for the transaction: it never saw its uncommitted '1'.
    expect(await outsideRead).toBeNull();
    expect(settledOutside).toEqual(['write', 'read']);
    expect(await opened.readAmount(mine.id, second)).toBe('2');
    expect(await opened.readAmount(mine.id, first)).toBeNull();
  });

  it('runs transactions one after another, in the order they were asked for', async () => {
    store = openSqliteStore(':memory:');
    const { opened, mine, first, change } = await twoCustomers(store);
    const order: string[] = [];
    const slow = opened.transaction(async (tx) => {
      order.push('slow begins');
      await new Promise((resolve) => setTimeout(resolve, 20));
      await tx.update(change(first, '1'));
      order.push('slow ends');
    });
    const quick = opened.transaction(async (tx) => {
      order.push(`quick begins, reads ${await tx.readAmount(mine.id, first)}`);
      await tx.update(change(first, '2'));
    });
    await Promise.all([slow, quick]);
    expect(order).toEqual(['slow begins', 'slow ends', 'quick begins, reads 1']);
    expect(await opened.readAmount(mine.id, first)).toBe('2');
  });
});
