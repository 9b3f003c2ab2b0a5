import { createHash } from 'node:crypto';
import { constants, type Stats, statSync } from 'node:fs';
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileKind } from './regular-files.js';

/** What `apply` names standard input by: `usagebudget apply -`. */
export const STANDARD_INPUT = '-';

/** The input cannot be read as a file of budgets at all: nothing is applied. */
export class InputError extends Error {
  constructor(
    message: string,
    /** The line it is about (1 is the header), when it is about one. */
    readonly line?: number,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * The run's own copy of its input, read once: `apply` checks, plans, sends, journals and lists
 * failed rows from it, so what is applied is what was checked, however the input changes while
 * the run goes on (an editor saving it, a pipe that cannot be read twice). It is a file in a
 * private temporary folder (mode 0600 in a 0700 folder), unlinked as soon as it is written where
 * the system allows (Linux, macOS): no one else can open it, and a `kill -9` leaves nothing behind.
 * Memory stays that of a chunk, whatever the input's size.
 */
export interface Snapshot {
  /** The input as the user named it, for messages: its path, or `standard input`. */
  readonly name: string;
  /** SHA-256 of its bytes: a journal belongs to one version of the input. */
  readonly sha256: string;
  readonly bytes: number;
  /** Its bytes from the start, as often as needed. */
  read(): Readable;
  close(): Promise<void>;
}

/** Options of {@link takeSnapshot}. */
export interface SnapshotOptions {
  /** Stops reading (Ctrl-C, SIGTERM): the promise rejects with an `AbortError` DOMException. */
  signal?: AbortSignal;
  /** Standard input, for `-` (`process.stdin` by default). */
  stdin?: NodeJS.ReadableStream;
}

/**
 * Reads `path` (a regular file, or `-` for standard input) once, whole, into a {@link Snapshot},
 * hashing it and checking that it is UTF-8 text as it goes. Refuses anything else before reading
 * a byte: a directory, a device, a FIFO or a pipe (`/dev/stdin` in a pipeline: pass `-`), which
 * could not be read twice or would wait forever. Throws an {@link InputError} that says why.
 */
export async function takeSnapshot(path: string, options: SnapshotOptions = {}): Promise<Snapshot> {
  const { signal } = options;
  let source: AsyncIterable<Buffer>;
  let input: FileHandle | undefined;
  let stopReading: (() => void) | undefined;
  if (path === STANDARD_INPUT) {
    const stdin = options.stdin ?? process.stdin;
    source = stdin as AsyncIterable<Buffer>;
    // A pipe that never ends keeps the process alive until the stream is destroyed.
    stopReading = () => (stdin as Partial<Readable>).destroy?.();
  } else {
    input = await openInput(path);
    source = chunksOf(input);
  }
  const name = path === STANDARD_INPUT ? 'standard input' : path;
  const folder = await mkdtemp(join(tmpdir(), 'usagebudget-apply-'));
  const copyPath = join(folder, 'snapshot.csv');
  let copy: FileHandle | undefined;
  let unlinked = false;
  const forget = async () => {
    if (unlinked) return;
    await rm(folder, { recursive: true, force: true });
    unlinked = true;
  };
  try {
    copy = await open(copyPath, 'wx+', 0o600);
    // Gone from the folder while the handle stays open; where the system refuses (Windows), at close().
    await forget().catch(() => undefined);
    const hash = createHash('sha256');
    const text = new TextChecker(name);
    let bytes = 0;
    for await (const chunk of abortable(source, signal, stopReading)) {
      text.check(chunk);
      hash.update(chunk);
      await copy.write(chunk, 0, chunk.length, bytes);
      bytes += chunk.length;
    }
    text.end();
    const handle = copy;
    return {
      name,
      sha256: hash.digest('hex'),
      bytes,
      read: () => Readable.from(chunksOf(handle), { objectMode: false }),
      close: async () => {
        await handle.close();
        await forget();
      },
    };
  } catch (error) {
    await copy?.close();
    await forget();
    throw error;
  } finally {
    await input?.close();
  }
}

function unreadable(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new InputError('no such file');
  if (code === 'EACCES' || code === 'EPERM') return new InputError('permission denied: the file cannot be read');
  return error;
}

function notRegular(stats: Stats): InputError {
  const hint =
    stats.isFIFO() || stats.isCharacterDevice()
      ? ': apply reads a file, or standard input when given - (cat budgets.csv | usagebudget apply -)'
      : '';
  return new InputError(`not a regular file (${fileKind(stats)})${hint}`);
}

/**
 * Whether `path` names a regular file `apply` can read (following symbolic links), without
 * opening it: an {@link InputError} otherwise. Checked again on the open file when it is read.
 */
export function checkInputPath(path: string): void {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    throw unreadable(error);
  }
  if (!stats.isFile()) throw notRegular(stats);
}

/** Opens a regular file to read, without waiting on a FIFO (O_NONBLOCK); anything else is refused. */
async function openInput(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw unreadable(error);
  }
  const stats = await handle.stat();
  if (stats.isFile()) return handle;
  await handle.close();
  throw notRegular(stats);
}

const CHUNK_BYTES = 64 * 1024;

/**
 * The bytes of an open file from its start, a chunk at a time, read at their offsets: any number
 * of passes, and a pass stopped early leaves the file open (a file stream would close it).
 */
async function* chunksOf(handle: FileHandle): AsyncGenerator<Buffer> {
  for (let position = 0; ; ) {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/** The chunks of `source` until it ends, or until `signal` aborts (which ends the source). */
async function* abortable(
  source: AsyncIterable<Buffer>,
  signal: AbortSignal | undefined,
  stop: (() => void) | undefined,
): AsyncGenerator<Buffer> {
  if (!signal) {
    yield* source;
    return;
  }
  const iterator = source[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      stop?.();
      reject(new DOMException('reading was interrupted', 'AbortError'));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) return;
      yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    }
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    // Not awaited: a stream's iterator settles its return only once a pending read has.
    iterator.return?.().catch(() => undefined);
  }
}

/**
 * Checks, a chunk at a time, that the bytes are text the CSV reader can trust: UTF-8 (a file
 * saved as UTF-16, or binary garbage, is refused rather than read as replacement characters) and
 * no NUL byte. Counts lines to say where it is not.
 */
class TextChecker {
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });
  #line = 1;
  #first = true;
  constructor(readonly name: string) {}

  check(chunk: Buffer): void {
    if (this.#first && chunk.length >= 2) {
      this.#first = false;
      if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
        throw new InputError('not UTF-8 text: the file is UTF-16 (save it as "CSV UTF-8")', 1);
      }
    }
    try {
      this.#decoder.decode(chunk, { stream: true });
    } catch {
      throw new InputError(
        `not UTF-8 text (binary data, or another encoding: save it as "CSV UTF-8")`,
        this.#lineOfBadByte(chunk),
      );
    }
    const nul = chunk.indexOf(0);
    if (nul !== -1) throw new InputError('not text: it holds a NUL byte (binary data?)', this.#lineAt(chunk, nul));
    this.#line += count(chunk, 0x0a);
  }

  end(): void {
    try {
      this.#decoder.decode();
    } catch {
      throw new InputError('not UTF-8 text: it ends in the middle of a character', this.#line);
    }
  }

  /** The line of the first byte of `chunk` that is not UTF-8, as far as it can be told. */
  #lineOfBadByte(chunk: Buffer): number {
    const probe = new TextDecoder('utf-8', { fatal: false });
    const decoded = probe.decode(chunk);
    const bad = decoded.indexOf('\uFFFD');
    const before = bad === -1 ? decoded : decoded.slice(0, bad);
    return this.#line + (before.match(/\n/g)?.length ?? 0);
  }

  #lineAt(chunk: Buffer, offset: number): number {
    return this.#line + count(chunk.subarray(0, offset), 0x0a);
  }
}

function count(bytes: Buffer, byte: number): number {
  let found = 0;
  for (let at = bytes.indexOf(byte); at !== -1; at = bytes.indexOf(byte, at + 1)) found++;
  return found;
}
