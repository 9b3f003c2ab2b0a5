import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll } from 'vitest';

/** One request as the server received it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** When it arrived (Date.now()). */
  at: number;
  /** Whether the whole response was handed to the OS; false when the client left before it. */
  responseFinished?: boolean;
}

/** What the server does with one request. */
export type Fault =
  | { status: number; json: unknown; headers?: Record<string, string> }
  | { status: number; text: string; contentType?: string; headers?: Record<string, string> }
  /** Destroys the connection without answering. */
  | { reset: true }
  /** Never answers (until the server closes). */
  | { hang: true }
  /** Sends the headers of a 200, then nothing. */
  | { silence: true }
  /** Sends the headers of a 200, then one space of body every `everyMs`, never ending. */
  | { trickleEveryMs: number }
  /** Streams a body of `bytes` bytes (`a`s) with `status`, as fast as the client reads it. */
  | { status: number; bodyBytes: number };

export type Step = Fault | ((request: RecordedRequest) => Fault);

export interface FaultServer {
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Queues what to do with the next requests; a request with nothing queued gets a 599. */
  enqueue(...steps: Step[]): void;
  /**
   * Forgets the recorded requests and the faults no request used, and moves to a new port: a request
   * an earlier test gave up on can still arrive late (busy machine), and must not land in the next one.
   */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export const TENANT = '0c39d6d5-c70d-4c55-bc02-f620844f3fd1';
export const OTHER_TENANT = '45c44870-ef77-4fdd-b6fe-3dacb075cff2';
export const THIRD_TENANT = 'b44bb1fb-c595-45b0-9e09-d657365580bf';
/** A continuation token as the spec allows them: printable ASCII with the characters URL encoding would change. */
export const CONTINUATION_TOKEN = 'v1.9mQf2Lk0Zr7xT3bW8yHc1A.N4pK7sVd/2qE+Jw0uYh3Xg==,x';

/** A spec-shaped SpendingBudget for `amount`, as the service answers it. */
export function budget(amount: number | null) {
  return {
    amount,
    usageSpendingBudget: amount,
    attributes: { objectType: 'SpendingBudget' },
    links: { self: { uri: `/v1/customers/${TENANT}/usagebudget`, method: 'GET', headers: [] } },
  };
}

const CHUNK = Buffer.alloc(64 * 1024, 'a');

/** Writes `bytes` bytes, waiting for the client to read (drain) between chunks. */
function stream(response: ServerResponse, status: number, bytes: number): void {
  response.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(bytes) });
  let left = bytes;
  const write = () => {
    while (left > 0 && !response.destroyed) {
      const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= chunk.length;
      if (!response.write(chunk)) return void response.once('drain', write);
    }
    response.end();
  };
  write();
}

function trickle(response: ServerResponse, everyMs: number): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.write('{');
  const timer = setInterval(() => response.write(' '), everyMs);
  response.on('close', () => clearInterval(timer));
}

function answer(response: ServerResponse, fault: Extract<Fault, { text: string } | { json: unknown }>): void {
  const isJson = 'json' in fault;
  const body = isJson ? JSON.stringify(fault.json) : fault.text;
  const contentType = isJson ? 'application/json' : (fault.contentType ?? 'text/plain');
  response.writeHead(fault.status, { 'content-type': contentType, ...fault.headers });
  response.end(body);
}

/** An HTTP server on a free 127.0.0.1 port that answers each request with the next queued fault. */
export function startFaultServer(): Promise<FaultServer> {
  const requests: RecordedRequest[] = [];
  const queue: Step[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const recorded: RecordedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(recorded);
      const step = queue.shift() ?? { status: 599, text: 'no fault queued' };
      const fault = typeof step === 'function' ? step(recorded) : step;
      response.on('finish', () => {
        recorded.responseFinished = true;
      });
      response.on('close', () => {
        recorded.responseFinished ??= false;
      });
      if ('reset' in fault) request.socket.destroy();
      else if ('silence' in fault) response.writeHead(200, { 'content-type': 'application/json' }).flushHeaders();
      else if ('trickleEveryMs' in fault) trickle(response, fault.trickleEveryMs);
      else if ('bodyBytes' in fault) stream(response, fault.status, fault.bodyBytes);
      else if (!('hang' in fault)) answer(response, fault);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = () =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        if (!address || typeof address === 'string') return reject(new Error('no port assigned'));
        resolve(address.port);
      });
    });
  const stop = () =>
    new Promise<void>((done) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => done());
    });
  return listen().then((firstPort) => {
    let port = firstPort;
    return {
      get url() {
        return `http://127.0.0.1:${port}`;
      },
      requests,
      enqueue: (...steps) => queue.push(...steps),
      reset: async () => {
        await stop();
        requests.length = 0;
        queue.length = 0;
        port = await listen();
      },
      close: stop,
    };
  });
}

/**
 * A fault server for the test file that calls this at its top level: started before its tests,
 * reset (awaited, so it has moved port) after each, closed after all.
 */
export function useFaultServer(): FaultServer {
  let started: FaultServer | undefined;
  beforeAll(async () => {
    started = await startFaultServer();
  });
  afterEach(() => started?.reset());
  afterAll(() => started?.close());
  const current = () => {
    if (!started) throw new Error('the fault server runs only inside the tests of the file that uses it');
    return started;
  };
  return {
    get url() {
      return current().url;
    },
    get requests() {
      return current().requests;
    },
    enqueue: (...steps) => current().enqueue(...steps),
    reset: () => current().reset(),
    close: () => current().close(),
  };
}
