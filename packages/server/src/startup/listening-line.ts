/**
 * The line the bin writes first on stdout once its port is bound: whoever starts a server of this
 * repository as a process reads its URL from it (the bench's bare server prints it too).
 */
export function listeningLine(url: string): string {
  return `listening on ${url}`;
}

/** Matches {@link listeningLine}; its one group is the URL. */
export const LISTENING_LINE = /^listening on (http:\/\/\S+)$/;
