import { createRequire } from 'node:module';
import { join } from 'node:path';
import { CommandLineError } from '../command-line/error.js';
import { readPrivateFile, writePrivateFile } from './config-folder.js';

/** `USAGEBUDGET_TOKEN_CACHE`: where a signed-in user's tokens may be kept between runs. */
export const TOKEN_CACHE_POLICIES = ['encrypted', 'allow-unencrypted', 'off'] as const;
export type TokenCachePolicy = (typeof TOKEN_CACHE_POLICIES)[number];

/** Where the tokens are kept: the platform's encrypted store, a 0600 file, or this run's memory only. */
export type TokenCacheStore = 'encrypted' | 'file' | 'memory';

/** MSAL's cache plugin interface (`ICachePlugin` of `@azure/msal-node`), as far as the CLI uses it. */
export interface CachePlugin {
  beforeCacheAccess(context: CacheContext): Promise<void>;
  afterCacheAccess(context: CacheContext): Promise<void>;
}
interface CacheContext {
  readonly cacheHasChanged: boolean;
  readonly tokenCache: { serialize(): string; deserialize(cache: string): void };
}

/** The cache a sign-in uses: its store, its plugin (none in memory), and why it is not encrypted. */
export interface TokenCache {
  readonly store: TokenCacheStore;
  readonly plugin?: CachePlugin;
  /** Why the encrypted store is not used (no keyring, not installed), for the notice. */
  readonly reason?: string;
}

/** The unencrypted cache's file, in the CLI's folder (`USAGEBUDGET_TOKEN_CACHE=allow-unencrypted`). */
export const tokenCacheFile = (folder: string) => join(folder, 'token-cache.json');

/** `USAGEBUDGET_TOKEN_CACHE`, checked (`encrypted` when unset). */
export function tokenCachePolicy(env: NodeJS.ProcessEnv): TokenCachePolicy {
  const value = env.USAGEBUDGET_TOKEN_CACHE || 'encrypted';
  if ((TOKEN_CACHE_POLICIES as readonly string[]).includes(value)) return value as TokenCachePolicy;
  throw new CommandLineError(`USAGEBUDGET_TOKEN_CACHE must be one of ${TOKEN_CACHE_POLICIES.join(', ')}`);
}

/**
 * The token cache `policy` allows: the platform's encrypted store (`@azure/identity-cache-persistence`:
 * libsecret, the macOS Keychain, DPAPI) when it is installed and works; else, when the user allowed
 * it, a file of mode 0600 in `folder`, unencrypted; else none (the sign-in lasts one run).
 */
export async function openTokenCache(policy: TokenCachePolicy, folder: string): Promise<TokenCache> {
  if (policy === 'off') return { store: 'memory', reason: 'USAGEBUDGET_TOKEN_CACHE=off' };
  let reason: string;
  try {
    return { store: 'encrypted', plugin: await encryptedPlugin() };
  } catch (error) {
    reason = firstLine(error);
  }
  if (policy === 'allow-unencrypted')
    return { store: 'file', plugin: filePlugin(tokenCacheFile(folder), folder), reason };
  return { store: 'memory', reason };
}

/**
 * `@azure/identity-cache-persistence`'s plugin, asked for its store now (it throws when the
 * platform has none: no secret service, no keytar build), so that the CLI can fall back rather
 * than fail at sign-in. It is an optional dependency, loaded only here, with `require`: Node 20's
 * `import()` of a package whose CommonJS dependency throws as it loads (keytar without its
 * build) leaves a rejection unhandled that ends the process, even when the import is caught.
 */
async function encryptedPlugin(): Promise<CachePlugin> {
  const { cachePersistencePlugin } = createRequire(import.meta.url)(
    '@azure/identity-cache-persistence',
  ) as typeof import('@azure/identity-cache-persistence');
  type Factory = (options: { name: string }) => Promise<CachePlugin>;
  let factory: Factory | undefined;
  // The identity plugin interface: the package hands its factory to `setPersistence`.
  cachePersistencePlugin({ cachePluginControl: { setPersistence: (given: Factory) => (factory = given) } });
  if (!factory) throw new Error('@azure/identity-cache-persistence gave no cache');
  return factory({ name: 'usagebudget' });
}

/** MSAL's cache in one file of mode 0600, read before each access and written when it changed. */
export function filePlugin(path: string, folder: string): CachePlugin {
  return {
    async beforeCacheAccess(context) {
      const text = await readPrivateFile(path);
      if (text) context.tokenCache.deserialize(text);
    },
    async afterCacheAccess(context) {
      if (context.cacheHasChanged) await writePrivateFile(folder, path, context.tokenCache.serialize());
    },
  };
}

/**
 * Removes one account's entries (sign-out) from the cache behind `plugin`, read and written
 * through it as MSAL does: the encrypted store may be shared with other tools of the same user,
 * whose accounts stay. Whether any entry was removed.
 */
export async function forgetAccount(plugin: CachePlugin, homeAccountId: string): Promise<boolean> {
  let cache = '';
  await plugin.beforeCacheAccess({
    cacheHasChanged: false,
    tokenCache: { serialize: () => cache, deserialize: (text) => (cache = text) },
  });
  if (!cache) return false;
  const sections = JSON.parse(cache) as Record<string, Record<string, { home_account_id?: string }>>;
  let removed = false;
  for (const section of Object.values(sections)) {
    for (const [key, entry] of Object.entries(section ?? {})) {
      if (entry?.home_account_id !== homeAccountId) continue;
      delete section[key];
      removed = true;
    }
  }
  const text = JSON.stringify(sections);
  const context = { cacheHasChanged: true, tokenCache: { serialize: () => text, deserialize: () => {} } };
  await plugin.beforeCacheAccess(context);
  await plugin.afterCacheAccess(context);
  return removed;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Cannot find (module|package)/.test(message))
    return '@azure/identity-cache-persistence or its keytar build is not installed';
  return message.split('\n')[0] ?? message;
}
