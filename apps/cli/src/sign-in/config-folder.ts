import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The CLI's own folder for what outlives a run (a sign-in's record, the token cache when allowed
 * unencrypted): `$XDG_CONFIG_HOME/usagebudget`, else `~/.config/usagebudget` (the XDG base
 * directory rule), or `%APPDATA%\usagebudget` on Windows.
 */
export function configFolder(env: NodeJS.ProcessEnv): string {
  if (env.XDG_CONFIG_HOME?.startsWith('/')) return join(env.XDG_CONFIG_HOME, 'usagebudget');
  if (process.platform === 'win32' && env.APPDATA) return join(env.APPDATA, 'usagebudget');
  return join(env.HOME || homedir(), '.config', 'usagebudget');
}

/**
 * Writes `text` to `path` in `folder`, readable by its owner only: the folder mode 0700 (made so
 * when it exists already: it is the CLI's own), the file 0600 from its creation (a temporary file
 * renamed over it, so a reader never sees half of it, and no moment exists where it is wider).
 */
export async function writePrivateFile(folder: string, path: string, text: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: 0o700 });
  await chmod(folder, 0o700);
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(temporary, 'wx', 0o600);
  try {
    await file.writeFile(text, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** The text of `path`, or `undefined` when there is none. */
export async function readPrivateFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
