import { Agent, request } from 'node:http';
import { demoPartner } from '@usagebudget/server/testing';
import { describe, expect, it } from 'vitest';
import { type JournalEntry, MOCK_ADMIN_HEADERS } from '../src/index.js';
import { startMockBin } from './support/mock-bin.js';

interface JournalAnswer {
  entries: JournalEntry[];
  dropped: number;
  bytes: number;
  maxBytes: number;
}

async function readJournal(url: string): Promise<JournalAnswer> {
  const response = await fetch(`${url}/_mock/journal`, { headers: MOCK_ADMIN_HEADERS });
  expect(response.status).toBe(200);
  return (await response.json()) as JournalAnswer;
}

/** A 59 KB budget update of many small members, as a client padding its body would send: each costs its parse many times over. */
function paddedBody(amount: number): string {
  const members: string[] = [];
  for (let index = 0; members.join(',').length < 59 * 1024; index++) {
    members.push(`"p${String(index).padStart(5, '0')}":${index}`);
  }
  return `{"amount":${amount},${members.join(',')}}`;
}

describe("the mock's journal", () => {
  it('is bounded by bytes: under a 256 MB heap, the mock survives 1,500 PATCHes of 59 KB', async () => {
    const mock = await startMockBin([], { ...process.env, NODE_OPTIONS: '--max-old-space-size=256' });
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    try {
      const path = `/v1/customers/${demoPartner.customerId}/usagebudget`;
      const patch = (body: string) =>
        new Promise<number>((resolve, reject) => {
          const req = request(
            `${mock.url}${path}`,
            {
              method: 'PATCH',
              agent,
              headers: {
                Authorization: `Bearer ${demoPartner.token}`,
                'Content-Type': 'application/json',
                'Content-Length': Buffer.byteLength(body),
              },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      const bodies = [paddedBody(1), paddedBody(2)];
      let sent = 0;
      const statuses: number[] = [];
      const sender = async () => {
        while (sent < 1500) {
          sent += 1;
          statuses.push(await patch(bodies[sent % 2] as string));
        }
      };
      await Promise.all(Array.from({ length: 4 }, sender));
      expect(statuses.filter((status) => status === 200)).toHaveLength(1500);

      const journal = await readJournal(mock.url);
      expect(journal.maxBytes).toBe(32 * 1024 * 1024);
      expect(journal.bytes).toBeLessThanOrEqual(journal.maxBytes);
      expect(journal.entries.length).toBeGreaterThan(0);
      expect(journal.entries.length + journal.dropped).toBe(1500);
      expect(journal.entries.at(-1)).toMatchObject({ operationId: 'updateUsageBudget', status: 200 });
      expect(mock.child.exitCode).toBeNull();
    } finally {
      agent.destroy();
      await mock.stop();
    }
  });

  it('takes its budget from --journal-max-bytes', async () => {
    const mock = await startMockBin(['--journal-max-bytes', '1000000']);
    try {
      expect(await readJournal(mock.url)).toMatchObject({ entries: [], dropped: 0, bytes: 0, maxBytes: 1_000_000 });
    } finally {
      await mock.stop();
    }
  });
});
