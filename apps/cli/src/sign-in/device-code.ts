import type { AccessToken, GetTokenOptions, TokenCredential } from '@usagebudget/client';
import { terminalText } from '../terminal-text.js';
import { loadRecord, type SignInKey, saveRecord } from './authentication-record.js';
import type { ProxyOptions, SignInContext } from './credential.js';
import { openTokenCache, type TokenCache, tokenCacheFile, tokenCachePolicy } from './token-cache.js';

type Identity = typeof import('@azure/identity');

interface DeviceCodeSetup {
  readonly tenant: string;
  readonly clientId: string;
  /** The CLI's config folder: the record, and the unencrypted cache when allowed. */
  readonly folder: string;
  /** The authority and the proxy. */
  readonly common: { authorityHost: string; disableInstanceDiscovery?: true; proxyOptions?: ProxyOptions };
  readonly context: SignInContext;
}

/**
 * `DeviceCodeCredential`, signed in once: its prompt on stderr; the tokens in the token cache
 * (`token-cache.ts`), and the account's record saved in the config folder, so that the next run
 * signs in silently while the refresh token lives. Without a cache that lasts, a one-line notice
 * says so when the user is asked to sign in.
 */
export function deviceCodeCredential(identity: Identity, setup: DeviceCodeSetup): TokenCredential {
  const { tenant, clientId, folder, common, context } = setup;
  const key: SignInKey = { authorityHost: common.authorityHost, tenant, clientId };
  const ready = (async () => {
    const cache = await openTokenCache(tokenCachePolicy(context.env), folder);
    if (cache.plugin) {
      const plugin = cache.plugin;
      // The identity plugin interface: the one persistence every credential of this process uses.
      identity.useIdentityPlugin((control) =>
        (
          control as { cachePluginControl: { setPersistence(f: () => Promise<unknown>): void } }
        ).cachePluginControl.setPersistence(async () => plugin),
      );
    }
    const record = cache.plugin ? await loadRecord(folder, key) : undefined;
    const credential = new identity.DeviceCodeCredential({
      tenantId: tenant,
      clientId,
      ...common,
      userPromptCallback: (info) => {
        context.note(terminalText(info.message));
        if (cache.store === 'memory') context.note(notKept(cache, folder));
      },
      ...(cache.plugin && { tokenCachePersistenceOptions: { enabled: true, name: 'usagebudget' } }),
      ...(record && { authenticationRecord: identity.deserializeAuthenticationRecord(record) }),
    });
    return { credential, cache, signedIn: record !== undefined };
  })();
  let signIn: Promise<unknown> | undefined;
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      const { credential, cache, signedIn } = await ready;
      // The first sign-in through `authenticate`, which gives the record to save.
      if (!signedIn && cache.plugin) {
        signIn ??= credential.authenticate(scopes, options).then(async (record) => {
          if (record) await saveRecord(folder, key, identity.serializeAuthenticationRecord(record));
        });
        await signIn;
      }
      return credential.getToken(scopes, options);
    },
  };
}

/** The notice of a sign-in that lasts this run only. */
function notKept(cache: TokenCache, folder: string): string {
  const why = cache.reason ? ` (${cache.reason})` : '';
  if (cache.reason === 'USAGEBUDGET_TOKEN_CACHE=off')
    return 'usagebudget: this sign-in is kept for this run only (USAGEBUDGET_TOKEN_CACHE=off)';
  return `usagebudget: this sign-in is kept for this run only: no encrypted token store${why}; USAGEBUDGET_TOKEN_CACHE=allow-unencrypted keeps it in ${tokenCacheFile(folder)} (mode 0600, not encrypted)`;
}
