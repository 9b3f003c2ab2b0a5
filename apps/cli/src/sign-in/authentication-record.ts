import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readPrivateFile, writePrivateFile } from './config-folder.js';

/** Which sign-in a record is of: the authority, the tenant and the app the user signed in to. */
export interface SignInKey {
  readonly authorityHost: string;
  readonly tenant: string;
  readonly clientId: string;
}

interface SavedRecord extends SignInKey {
  /** `@azure/identity`'s `serializeAuthenticationRecord()`: the account, never a token. */
  readonly record: string;
}

const recordFile = (folder: string) => join(folder, 'authentication-record.json');

/** The saved record file, when it reads as one; `undefined` when there is none or it is unreadable as a record. */
async function readSaved(folder: string): Promise<SavedRecord | undefined> {
  const text = await readPrivateFile(recordFile(folder));
  if (text === undefined) return undefined;
  try {
    const saved = JSON.parse(text) as Partial<SavedRecord> | null;
    return typeof saved?.record === 'string' ? (saved as SavedRecord) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The saved record of the last device-code sign-in, when it is of the same authority, tenant and
 * app (another's would make the credential look for an account it has not cached); `undefined`
 * otherwise, or when the file is unreadable as a record (it is then signed in again and replaced).
 */
export async function loadRecord(folder: string, key: SignInKey): Promise<string | undefined> {
  const saved = await readSaved(folder);
  const same =
    saved?.authorityHost === key.authorityHost && saved.tenant === key.tenant && saved.clientId === key.clientId;
  return same ? saved.record : undefined;
}

/** Saves the record of a sign-in (mode 0600, in a folder of mode 0700). */
export function saveRecord(folder: string, key: SignInKey, record: string): Promise<void> {
  const saved: SavedRecord = { ...key, record };
  return writePrivateFile(folder, recordFile(folder), `${JSON.stringify(saved, null, 2)}\n`);
}

/** The saved sign-in: whom it names (`username`), its account's cache key, and its key; none when absent or unreadable. */
export async function savedSignIn(
  folder: string,
): Promise<(SignInKey & { username: string; homeAccountId: string }) | undefined> {
  const saved = await readSaved(folder);
  if (!saved) return undefined;
  try {
    const record = JSON.parse(saved.record) as { username?: unknown; homeAccountId?: unknown } | null;
    if (typeof record?.homeAccountId !== 'string') return undefined;
    const { authorityHost, tenant, clientId } = saved;
    return {
      authorityHost,
      tenant,
      clientId,
      username: String(record.username ?? ''),
      homeAccountId: record.homeAccountId,
    };
  } catch {
    return undefined;
  }
}

/** Removes the saved record. */
export const removeRecord = (folder: string) => rm(recordFile(folder), { force: true });
