import { randomUUID } from 'node:crypto';
import { Agent, type ClientRequest, request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { budgetPath, exchangeRaw, parseRaw, randomPartner } from '../../src/testing/index.js';
import { useServer } from '../support/use-server.js';

// Clients that Node's own HTTP layer would answer outside the API's contract, or that try to hold
// or flood the server (issue 12). Every server here is a real process; bounds on time are
// generous, so only a server that ignores its limits (for tens of seconds) fails them.

const partner = randomPartner('Partner', 4);
const [token] = partner.tokens as [string];
const [customer] = partner.customers as [string];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** What an ApiFault answer looks like on the wire: status, the tracing ids, an ApiFault body. */
function expectApiFault(text: string, status: number) {
  const { statusLine, headers, body } = parseRaw(text);
  expect(statusLine, text).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
  expect(headers['content-type']).toBe('application/json; charset=utf-8');
  expect(headers['ms-requestid']).toMatch(GUID);
  expect(headers['ms-correlationid']).toMatch(GUID);
  const fault = JSON.parse(body) as Record<string, unknown>;
  expect(fault).toMatchObject({ description: expect.any(String), source: 'usagebudget-server' });
  expect(fault.code).toBeDefined();
  return { headers, fault };
}

describe("rejections Node's HTTP layer used to answer itself", () => {
  const server = useServer({ partners: [partner] });

  it('answers an HTTP/1.1 request without Host with a 400 ApiFault, echoing MS-RequestId', async () => {
    const requestId = randomUUID();
    const text = await exchangeRaw(server.current.url, `GET /healthz HTTP/1.1\r\nMS-RequestId: ${requestId}\r\n\r\n`);
    const { headers, fault } = expectApiFault(text, 400);
    expect(headers['ms-requestid']).toBe(requestId);
    expect(fault).toMatchObject({ code: 800002, description: expect.stringContaining('Host') });
  });

  it('still serves HTTP/1.0 without Host, which HTTP/1.0 does not require', async () => {
    const text = await exchangeRaw(server.current.url, 'GET /healthz HTTP/1.0\r\n\r\n');
    expect(parseRaw(text)).toMatchObject({ statusLine: 'HTTP/1.1 200 OK', body: '{"status":"ok"}' });
  });

  it('answers an Expect it cannot meet with a 417 ApiFault', async () => {
    const text = await exchangeRaw(server.current.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n\r\n');
    expect(expectApiFault(text, 417).fault).toMatchObject({ description: expect.stringContaining('200-ok') });
  });

  it('answers a request that asked to close, whatever bytes follow it, even from an operation that takes several turns', async () => {
    // The partner usage summary is counted a batch per turn of the event loop: the bytes after the
    // request (a body it did not declare) are a parse error before the answer is ready.
    const { hostname, port } = new URL(server.current.url);
    const socket = connect(Number(port), hostname);
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write(
      `GET /v1/usagesummary HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n{"amount": 0}`,
    );
    await closed;
    expect(parseRaw(text)).toMatchObject({ statusLine: 'HTTP/1.1 200 OK', headers: { connection: 'close' } });
    expect(JSON.parse(parseRaw(text).body)).toMatchObject({ customersWithUsageBasedSubscription: 4 });
  });

  it('answers CONNECT with a 405 ApiFault and Allow, instead of closing the connection', async () => {
    const text = await exchangeRaw(
      server.current.url,
      'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
    );
    expect(expectApiFault(text, 405).headers.allow).toBe('GET, HEAD, PATCH, POST, PUT');
  });

  it('answers a body declared past what it drains with a 413 at once, and closes', async () => {
    const text = await exchangeRaw(
      server.current.url,
      `PATCH ${budgetPath(customer)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n',
    );
    expect(expectApiFault(text, 413).headers.connection).toBe('close');
  });
});

/** PATCHes `bytes` of body with Node's http client, as fast as the server reads, and says what came back. */
function patchLarge(url: string, bytes: number, agent: Agent | false): Promise<{ status: number; reused: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req: ClientRequest = httpRequest(
      {
        host: hostname,
        port,
        method: 'PATCH',
        path: budgetPath(customer),
        agent,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': bytes },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
      },
    );
    // EPIPE or ECONNRESET here is the defect: the server closed before the client could read.
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let left = bytes;
    const write = () => {
      while (left > 0) {
        const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= part.length;
        if (!req.write(part)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

describe('a body past the 64 KiB limit', () => {
  const server = useServer({ partners: [partner] });
  const MiB = 1024 * 1024;

  it.each([
    [5, 10],
    [100, 3],
  ])('lets a Node client that sends %i MiB read the 413 (no EPIPE, no ECONNRESET), %i times', async (size, times) => {
    // Without an agent, Node's client asks the server to close after the answer: the hard case.
    for (let i = 0; i < times; i++) {
      expect(await patchLarge(server.current.url, size * MiB, false)).toMatchObject({ status: 413 });
    }
  });

  it('keeps a kept-alive connection usable after the 413', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect(await patchLarge(server.current.url, 5 * MiB, agent)).toEqual({ status: 413, reused: false });
      expect(await patchLarge(server.current.url, 10, agent)).toMatchObject({ status: 400, reused: true });
    } finally {
      agent.destroy();
    }
  });
});

/** Connects and resolves with the socket once connected. */
function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `first`, then `drip` every `everyMs`, and resolves with what came back and how long the connection lived. */
function slowClient(url: string, first: string, drip: string, everyMs: number) {
  const { hostname, port } = new URL(url);
  return new Promise<{ text: string; ms: number }>((resolve) => {
    const started = Date.now();
    let text = '';
    const socket = connect(Number(port), hostname, () => socket.write(first));
    const timer = setInterval(() => socket.writable && socket.write(drip), everyMs);
    // A server that never closes is cut off here, and the test fails on the time.
    const giveUp = setTimeout(() => socket.destroy(), 60_000);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ text, ms: Date.now() - started });
    });
  });
}

describe('slow connections', () => {
  // 1 s and 2 s: with Node's 30 s checking interval these connections lived about 30 s.
  const server = useServer({ partners: [partner] }, { args: ['--headers-timeout', '1', '--request-timeout', '2'] });
  const WITHIN_MS = 15_000;

  it('closes a connection whose headers trickle in at the headers timeout, with a 408 ApiFault', async () => {
    const { text, ms } = await slowClient(server.current.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ', 'a', 100);
    expect(ms).toBeLessThan(WITHIN_MS);
    expect(expectApiFault(text, 408).fault.description).toContain('within 1 seconds, all of it within 2 seconds');
  });

  it('closes a connection whose body trickles in at the request timeout', async () => {
    const first =
      `PATCH ${budgetPath(customer)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{';
    const { ms } = await slowClient(server.current.url, first, ' ', 100);
    expect(ms).toBeLessThan(WITHIN_MS);
  });

  it('closes a connection that never sends a byte', async () => {
    const { ms } = await slowClient(server.current.url, '', '', 1_000);
    expect(ms).toBeLessThan(WITHIN_MS);
  });
});

describe('the connection cap', () => {
  // Long timeouts, so the connections that hold the cap are not closed for idling meanwhile.
  const server = useServer(
    { partners: [partner] },
    { args: ['--max-connections', '2', '--headers-timeout', '60', '--request-timeout', '60'] },
  );

  it('answers requests on connections past the cap with a 503 ApiFault and Retry-After, then serves again', async () => {
    const holders = [await open(server.current.url), await open(server.current.url)];
    try {
      const busy = await exchangeRaw(server.current.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      const { headers, fault } = expectApiFault(busy, 503);
      expect(headers['retry-after']).toBe('1');
      expect(headers.connection).toBe('close');
      expect(fault.code).toBe('TooManyConnections');

      // Twice the cap: new connections are closed unanswered.
      const extra = [await open(server.current.url), await open(server.current.url)];
      holders.push(...extra);
      expect(await exchangeRaw(server.current.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n').catch(() => '')).toBe(
        '',
      );
    } finally {
      for (const socket of holders) socket.destroy();
    }
    // The server counts the closes as they reach it.
    let answer = '';
    for (const started = Date.now(); !answer.startsWith('HTTP/1.1 200') && Date.now() - started < 10_000; ) {
      answer = await exchangeRaw(server.current.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n').catch(() => '');
    }
    expect(parseRaw(answer).statusLine).toBe('HTTP/1.1 200 OK');
  });
});
