import { closeSync, constants, fstatSync, lstatSync, openSync, type Stats } from 'node:fs';
import { CommandLineError } from '../command-line/error.js';

/** What a path that is not a regular file names, for a message: `a directory`, `a pipe or FIFO`. */
export function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a pipe or FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

function notWritable(path: string, kind: string): CommandLineError {
  return new CommandLineError(
    `${path} is ${kind}: usagebudget apply writes its journal, lock and failed rows only to regular files, never through a link (remove it, or run apply on a copy of the file elsewhere)`,
    'apply',
  );
}

/**
 * Refuses a path `apply` will write, before it sends anything, when something other than a
 * regular file is there (a symbolic link, a FIFO, a directory): a `CommandLineError` that names it.
 */
export function checkWritable(path: string): void {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!stats.isFile()) throw notWritable(path, fileKind(stats));
}

/** How {@link openForWriting} opens: at the end, emptied first, or only when it does not exist yet. */
export type WriteMode = 'append' | 'replace' | 'create';

const MODE_FLAGS: Record<WriteMode, number> = {
  append: constants.O_APPEND,
  replace: constants.O_TRUNC,
  create: constants.O_EXCL,
};

/**
 * Opens a file `apply` writes (its journal, its failed rows, its lock) and returns the descriptor:
 * never through a symbolic link (O_NOFOLLOW; checked first too, where the platform lacks it), and
 * only a regular file: the open does not wait for a FIFO's reader (O_NONBLOCK), and anything but a
 * regular file is closed again and refused, as a `CommandLineError` that names it. `create` fails with
 * `EEXIST` when the path exists.
 */
export function openForWriting(path: string, mode: WriteMode): number {
  const refuse = (kind: string) => notWritable(path, kind);
  if (mode !== 'create' || !constants.O_NOFOLLOW) {
    try {
      if (lstatSync(path).isSymbolicLink()) throw refuse('a symbolic link');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  let fd: number;
  try {
    fd = openSync(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK | MODE_FLAGS[mode],
      0o644,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw refuse('a symbolic link');
    if (code === 'ENXIO') throw refuse('a pipe or FIFO');
    if (code === 'EISDIR') throw refuse('a directory');
    throw error;
  }
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    closeSync(fd);
    throw refuse(fileKind(stats));
  }
  return fd;
}
