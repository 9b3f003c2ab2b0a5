import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { jsonHeaders, randomPartner, sendRaw } from '../../src/testing/index.js';
import { useServer } from '../support/use-server.js';

// Big enough that its usage records (about 340 bytes each) overflow every socket buffer between a
// client that does not read and the server: about 10 MB.
const BIG = 30_000;
const big = randomPartner('Big portfolio', BIG);
const small = randomPartner('Small portfolio');
const server = useServer({ partners: [big, small] }, { db: ':memory:' });

/** The access-log line of the request with this MS-RequestId, once the server has written it. */
const logLineOf = (requestId: string) =>
  server.current
    .output()
    .split('\n')
    .find((line) => line.includes(`"requestId":"${requestId}"`));

/** A GET of the big partner on a raw connection, which reads nothing until told to. */
async function bigPartnerGet(path: string, requestId: string) {
  const { hostname, port } = new URL(server.current.url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
      `Authorization: Bearer ${big.tokens[0]}\r\nMS-RequestId: ${requestId}\r\n\r\n`,
  );
  return socket;
}

async function logged(requestId: string): Promise<{ status: number }> {
  for (;;) {
    const line = logLineOf(requestId);
    if (line) return JSON.parse(line) as { status: number };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("a partner's usage records, the whole portfolio in one response", () => {
  it('come as the same JSON, every customer in order, in chunks', async () => {
    const response = await sendRaw(server.current.url, {
      path: '/v1/customers/usagerecords',
      headers: jsonHeaders(big.tokens[0]),
    });
    expect(response.status).toBe(200);
    expect(response.headers['transfer-encoding']).toBe('chunked');
    const body = JSON.parse(response.text) as { totalCount: number; items: { resourceId: string }[] };
    expect(body.totalCount).toBe(BIG);
    expect(body.items.map(({ resourceId }) => resourceId)).toEqual(big.customers);
    expect(
      response.text.endsWith(
        '],"links":{"self":{"uri":"/v1/customers/usagerecords","method":"GET","headers":[]}},"attributes":{"objectType":"Collection"}}',
      ),
    ).toBe(true);
  });

  it("let another partner's request be answered while they are being written, and stop when their client leaves", async () => {
    const bigRequestId = randomUUID();
    // A client that reads the first bytes of the answer, then nothing: the server can only write
    // what the socket buffers hold, and must wait for the rest.
    const socket = await bigPartnerGet('/v1/customers/usagerecords', bigRequestId);
    const [first] = (await once(socket, 'data')) as [Buffer];
    socket.pause();
    expect(first.toString('latin1')).toMatch(/^HTTP\/1\.1 200 /);

    const smallRequestId = randomUUID();
    const answered = await sendRaw(server.current.url, {
      path: '/v1/customers?size=1',
      headers: jsonHeaders(small.tokens[0], { 'MS-RequestId': smallRequestId }),
    });
    expect(answered.status).toBe(200);
    expect((await logged(smallRequestId)).status).toBe(200);
    // The big read has not ended: the small request was answered between two of its chunks.
    expect(logLineOf(bigRequestId)).toBeUndefined();

    socket.destroy();
    // The server stops the read and logs that its client left (499).
    expect((await logged(bigRequestId)).status).toBe(499);
  });
});

describe("a partner's usage summary, counted over the whole portfolio", () => {
  it('stops being counted when its client leaves', async () => {
    const requestId = randomUUID();
    const socket = await bigPartnerGet('/v1/usagesummary', requestId);
    socket.destroy();
    expect((await logged(requestId)).status).toBe(499);
  });
});
