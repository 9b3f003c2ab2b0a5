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
