import type { ServerResponse } from 'node:http';

/**
 * A response body made piece by piece as it is sent (a partner's whole portfolio): the work
 * behind each piece is done only when the piece is needed. See {@link writeStreamed}.
 */
export class StreamedBody {
  constructor(readonly pieces: Iterable<string> | AsyncIterable<string>) {}
}

/** How a streamed body ended: all of it sent, the client gone first, or a piece that failed to be made. */
export type StreamOutcome =
  | { readonly kind: 'sent' }
  | { readonly kind: 'clientGone' }
  | { readonly kind: 'failed'; readonly error: unknown };

/** Pieces are gathered into chunks of about this many characters: one chunk per turn of the event loop. */
const CHUNK_CHARS = 32 * 1024;

/**
 * Writes `body` on a response whose headers are written: one chunk per turn of the event loop,
 * and the next only once the socket has taken the last (backpressure). So a long body holds other
 * requests for the time one chunk takes to make, not for the whole body, and a slow client holds
 * no more than a chunk in memory. When the client leaves, no further piece is made. `done` is
 * called once; after a failure the response is destroyed (its client sees a cut body).
 */
export function writeStreamed(res: ServerResponse, body: StreamedBody, done: (outcome: StreamOutcome) => void): void {
  const pieces: Iterator<string> | AsyncIterator<string> =
    Symbol.asyncIterator in body.pieces ? body.pieces[Symbol.asyncIterator]() : body.pieces[Symbol.iterator]();
  let ended = false;
  const end = (outcome: StreamOutcome) => {
    if (ended) return;
    ended = true;
    res.off('close', onClose).off('drain', onDrain);
    // Runs the generator's `finally`, and makes no further piece.
    if (outcome.kind !== 'sent') Promise.resolve(pieces.return?.()).catch(() => {});
    done(outcome);
  };
  const onClose = () => end(res.writableFinished ? { kind: 'sent' } : { kind: 'clientGone' });
  async function step() {
    if (ended) return;
    let chunk = '';
    try {
      while (chunk.length < CHUNK_CHARS) {
        // A piece read from a store arrives later; the client may have left meanwhile.
        const next = await pieces.next();
        if (ended) return;
        if (next.done) {
          res.end(chunk, () => end({ kind: 'sent' }));
          return;
        }
        chunk += next.value;
      }
    } catch (error) {
      end({ kind: 'failed', error });
      res.destroy();
      return;
    }
    if (res.write(chunk)) setImmediate(step);
    else res.once('drain', onDrain);
  }
  // Not `step` itself: a socket that took the whole chunk at once emits 'drain' on the next tick,
  // before the event loop has had a turn, and chunk after chunk would never let it have one.
  const onDrain = () => setImmediate(step);
  res.on('close', onClose);
  void step();
}
