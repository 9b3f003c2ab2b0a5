import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { faults } from '../contract/faults.js';

/**
 * A malformed request never reaches the handler; answer it in the same shape as every other error.
 * Bytes after a response that closed the connection (the client's `Connection: close` or ours) are
 * no request: they get no answer, which would follow the one already sent.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket, answered: WeakSet<object>): void {
  if (
    !socket.writable ||
    error.code === 'ECONNRESET' ||
    error.code === 'HPE_CLOSED_CONNECTION' ||
    answered.has(socket)
  ) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify(faults.invalidInput('The request is not valid HTTP/1.1.').body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nMS-RequestId: ${randomUUID()}\r\n` +
      `MS-CorrelationId: ${randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
  );
}
