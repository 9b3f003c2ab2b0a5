import type { Server } from 'node:http';

/** How long a client refused for too many connections is asked to wait (`Retry-After`). */
export const BUSY_RETRY_AFTER_SECONDS = 1;

export interface ConnectionLimit {
  /** True for a connection opened past the cap: its requests are answered 503, then it is closed. */
  overCapacity(socket: object): boolean;
  /** Counts `server`'s connections from now on. */
  watch(server: Server): void;
}

/**
 * Caps a server's open connections at `max`. A connection past the cap is still read, so that
 * its request gets a proper answer (a 503 ApiFault with `Retry-After`: see `checkProtocol`); as
 * many again are let in for that. Past twice the cap, Node closes new connections at once,
 * unanswered: answering costs a socket too.
 */
export function connectionLimit(max: number): ConnectionLimit {
  let open = 0;
  const past = new WeakSet<object>();
  return {
    overCapacity: (socket) => past.has(socket),
    watch(server) {
      server.maxConnections = 2 * max;
      server.on('connection', (socket) => {
        open++;
        if (open > max) past.add(socket);
        socket.once('close', () => {
          open--;
        });
      });
    },
  };
}
