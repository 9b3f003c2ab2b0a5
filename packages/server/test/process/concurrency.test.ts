import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { budgetPath, jsonHeaders, type RawResponse, randomPartner, sendRaw } from '../../src/testing/index.js';
import { useServer } from '../support/use-server.js';

const partner = randomPartner('Concurrency partner', 2);
const token = partner.tokens[0] as string;
const server = useServer({ partners: [partner] });

const CONCURRENT = 48;
const patch = (customer: string, amount: string, headers: Record<string, string> = {}) =>
  sendRaw(server.current.url, {
    method: 'PATCH',
    path: budgetPath(customer),
    headers: jsonHeaders(token, headers),
    body: `{"amount": ${amount}}`,
  });
const amountOf = (response: RawResponse) => (JSON.parse(response.text) as { amount: unknown }).amount;

describe('concurrent PATCHes on one customer', () => {
  it('each answers 200 with its own amount, and the budget ends at one of them', async () => {
    const customer = partner.customers[0] as string;
    const amounts = Array.from({ length: CONCURRENT }, (_, i) => `${i + 1}.${String(i).padStart(2, '0')}`);
    const reads: Promise<RawResponse>[] = [];
    const writes = amounts.map((amount, i) => {
      if (i % 4 === 0)
        reads.push(sendRaw(server.current.url, { path: budgetPath(customer), headers: jsonHeaders(token) }));
      return patch(customer, amount);
    });
    const answers = await Promise.all(writes);
    expect(answers.map((answer) => answer.status)).toEqual(amounts.map(() => 200));
    expect(answers.map(amountOf)).toEqual(amounts.map(Number));
    for (const read of await Promise.all(reads)) expect(read.status).toBe(200);
    const final = await sendRaw(server.current.url, { path: budgetPath(customer), headers: jsonHeaders(token) });
    expect(amounts.map(Number)).toContain(amountOf(final));
  });

  it('applies one of many concurrent retries that share an MS-RequestId, and answers all of them alike', async () => {
    const customer = partner.customers[1] as string;
    const requestId = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, () => patch(customer, '42.42', { 'MS-RequestId': requestId })),
    );
    expect(new Set(answers.map((answer) => answer.status))).toEqual(new Set([200]));
    expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
    const final = await sendRaw(server.current.url, { path: budgetPath(customer), headers: jsonHeaders(token) });
    expect(final.text).toBe(answers[0]?.text);
    expect(server.current.output()).not.toMatch(/SQLITE_BUSY|"status":5\d\d/);
  });

  it('lets exactly one of many concurrent different updates under one MS-RequestId apply', async () => {
    const customer = partner.customers[1] as string;
    const requestId = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => patch(customer, String(i + 1), { 'MS-RequestId': requestId })),
    );
    const applied = answers.filter((answer) => answer.status === 200);
    expect(applied).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 409)).toHaveLength(CONCURRENT - 1);
    const final = await sendRaw(server.current.url, { path: budgetPath(customer), headers: jsonHeaders(token) });
    expect(final.text).toBe(applied[0]?.text);
    expect(server.current.output()).not.toMatch(/SQLITE_BUSY|"status":5\d\d/);
  });
});
