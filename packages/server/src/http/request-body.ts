import type { IncomingMessage } from 'node:http';
import { faults } from '../contract/faults.js';

/** Partner Center's limit: a larger body is answered 413 without being read to the end. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The client went away before its body arrived: there is nobody to answer. */
export class ClientGone extends Error {
  override name = 'ClientGone';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase();
}

/**
 * Reads a JSON request body: 415 unless it is `mediaType`, 413 past `limit` bytes (declared or
 * actual; {@link MAX_BODY_BYTES} by default), 400 800002 unless it is UTF-8 JSON. Resolves with
 * its text and value.
 */
export function readJsonBody(
  req: IncomingMessage,
  mediaType: string,
  limit = MAX_BODY_BYTES,
): Promise<{ text: string; value: unknown }> {
  if (mediaTypeOf(req.headers['content-type']) !== mediaType) throw faults.unsupportedMediaType(mediaType);
  if (Number(req.headers['content-length']) > limit) throw faults.payloadTooLarge(limit);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        reject(faults.payloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      try {
        resolve(decode(Buffer.concat(chunks)));
      } catch (error) {
        reject(error);
      }
    };
    const onClose = () => {
      stop();
      reject(new ClientGone('the client closed the connection before its request body arrived'));
    };
    const stop = () => {
      req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
    };
    req.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onClose);
  });
}

function decode(bytes: Buffer): { text: string; value: unknown } {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw faults.invalidInput('The request body is not UTF-8 text.');
  }
  if (text.trim() === '') throw faults.invalidInput('The request body is empty; it must be a JSON object.');
  try {
    return { text, value: JSON.parse(text) };
  } catch (error) {
    throw faults.invalidInput(`The request body is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * How much of a request body the server reads and drops before it answers a request whose body
 * it did not need (a 413, or an error found before the body was read): enough for a client that
 * sends 100 MB before it reads the answer. Answering first would not do: Node closes the
 * connection after the answer when the client asked for that (`Connection: close`, as Node's own
 * client does without an agent), and closing a socket with unread bytes resets it, so the client
 * gets EPIPE or ECONNRESET instead of the answer.
 */
export const DRAIN_MAX_BYTES = 128 * 1024 * 1024;
/** How long the server reads an unneeded body before it answers anyway, at most. */
export const DRAIN_MAX_MS = 10_000;

/** Whether the rest of `req`'s body may be drained: not when its declared length is past the bound. */
export function canDrain(req: IncomingMessage): boolean {
  return !(Number(req.headers['content-length']) > DRAIN_MAX_BYTES);
}

/**
 * Reads and drops the rest of `req`'s body. Resolves `true` once all of it has arrived, `false`
 * when it was cut short: past {@link DRAIN_MAX_BYTES} or {@link DRAIN_MAX_MS}, or the client left
 * (the answer must then close the connection).
 */
export function drainBody(req: IncomingMessage): Promise<boolean> {
  // Read to its end already (by an operation that then refused it).
  if (req.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    let drained = 0;
    const finish = (complete: boolean) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('close', onClose);
      if (!complete) req.pause();
      resolve(complete);
    };
    const onData = (chunk: Buffer) => {
      drained += chunk.length;
      if (drained > DRAIN_MAX_BYTES) finish(false);
    };
    const onEnd = () => finish(true);
    const onClose = () => finish(req.complete);
    const timer = setTimeout(() => finish(false), DRAIN_MAX_MS);
    req.on('data', onData).on('end', onEnd).on('close', onClose);
    req.resume();
  });
}
