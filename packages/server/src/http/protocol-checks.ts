import type { IncomingMessage } from 'node:http';
import { faults } from '../contract/faults.js';
import { BUSY_RETRY_AFTER_SECONDS } from './connection-limit.js';

/**
 * The checks HTTP itself asks for before a request is routed, made here rather than by Node so
 * that their answers are ApiFaults with the tracing ids like every other error: a connection past
 * the server's cap (503), an HTTP/1.1 request without `Host` (400), an `Expect` other than
 * `100-continue` (417, which Node answers itself unless a `checkExpectation` listener is set).
 */
export function checkProtocol(req: IncomingMessage, overCapacity: boolean): void {
  if (overCapacity) throw faults.tooManyConnections(BUSY_RETRY_AFTER_SECONDS);
  if (req.httpVersion === '1.1' && req.headers.host === undefined) throw faults.hostMissing();
  const expect = req.headers.expect;
  if (expect !== undefined && expect.toLowerCase() !== '100-continue') throw faults.expectationFailed(expect);
}
