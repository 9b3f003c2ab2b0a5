// A stand-in service: a real HTTP server on loopback that answers as a test says, to hold a call
// (Ctrl-C, the time limits) or to answer what the API does not allow. Stopped by `stopStandIns()`
// after each test.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type LoopbackServer, listenOnLoopback } from '@usagebudget/server/testing';

export interface StandIn extends LoopbackServer {
  /** Every request so far, in order. */
  readonly requests: readonly IncomingMessage[];
  /** Resolves with the first request. */
  readonly arrived: Promise<IncomingMessage>;
}

/** How a stand-in answers a request: `n` counts the requests, from 1. */
export type Answer = (request: IncomingMessage, response: ServerResponse, n: number) => void;

const running = new Set<StandIn>();

export async function startStandIn(answer: Answer): Promise<StandIn> {
  const requests: IncomingMessage[] = [];
  let arrive: (request: IncomingMessage) => void = () => {};
  const arrived = new Promise<IncomingMessage>((resolve) => {
    arrive = resolve;
  });
  const server = createServer((request, response) => {
    requests.push(request);
    arrive(request);
    answer(request, response, requests.length);
  });
  const standIn: StandIn = { ...(await listenOnLoopback(server)), requests, arrived };
  running.add(standIn);
  return standIn;
}

/** Stops every stand-in started so far (an `afterEach`). */
export async function stopStandIns(): Promise<void> {
  const all = [...running];
  running.clear();
  await Promise.all(all.map((standIn) => standIn.close()));
}

/** Answers `body` as JSON. */
export const json = (response: ServerResponse, body: unknown, headers: Record<string, string> = {}, status = 200) =>
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

/** Never answers: the call waits until it is stopped. */
export const never: Answer = () => {};
