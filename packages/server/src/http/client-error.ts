import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { faults, HttpError } from '../contract/faults.js';

/**
 * Writes `fault` as a whole HTTP/1.1 response straight onto the socket, with fresh tracing ids,
 * and closes the connection: for the requests Node's parser rejects, which never become a
 * request object to answer through the handler.
 */
export function writeRawFault(socket: Socket, fault: HttpError): void {
  const body = JSON.stringify(fault.body);
  const headers = Object.entries(fault.headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${fault.status} ${STATUS_CODES[fault.status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nMS-RequestId: ${randomUUID()}\r\n` +
      `MS-CorrelationId: ${randomUUID()}\r\n${headers}Connection: close\r\n\r\n${body}`,
  );
}

/**
 * A malformed request, or one that did not arrive in time, never reaches the handler; answer it in
 * the same shape as every other error. Bytes after a response that closed the connection (ours),
 * or that the server is draining, are no request: they get no answer, which would follow the one
 * already sent. Bytes after a request that asked to close the connection (`Connection: close`)
 * are no request either, but that request is still answered (an operation may take more than a
 * turn of the event loop), and Node closes the connection after the answer.
 */
export function answerClientError(
  error: NodeJS.ErrnoException,
  socket: Socket,
  answered: WeakSet<object>,
  timeouts: { headersTimeoutMs: number; requestTimeoutMs: number },
): void {
  if (error.code === 'HPE_CLOSED_CONNECTION' && socket.writable && !answered.has(socket)) return;
  if (
    !socket.writable ||
    error.code === 'ECONNRESET' ||
    error.code === 'HPE_CLOSED_CONNECTION' ||
    answered.has(socket)
  ) {
    socket.destroy();
    return;
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    writeRawFault(socket, faults.requestTimeout(timeouts.headersTimeoutMs / 1000, timeouts.requestTimeoutMs / 1000));
    return;
  }
  const { body } = faults.invalidInput('The request is not valid HTTP/1.1.');
  writeRawFault(socket, new HttpError(error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400, body));
}
