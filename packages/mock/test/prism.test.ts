import { portIsFree } from '@usagebudget/server/testing';
import { describe, expect, it } from 'vitest';
import { startPrism } from '../src/prism.js';

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
    expect(await portIsFree(port)).toBe(true);
  });
});
