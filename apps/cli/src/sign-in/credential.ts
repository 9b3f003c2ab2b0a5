import { type AccessToken, clouds, type GetTokenOptions, type TokenCredential } from '@usagebudget/client';
import { CommandLineError } from '../command-line/error.js';
import type { Endpoint } from '../command-line/settings.js';
import type { SignInSettings } from '../command-line/sign-in-options.js';
import { configFolder } from './config-folder.js';
import { deviceCodeCredential } from './device-code.js';

/** What a sign-in needs of the run besides its settings. */
export interface SignInContext {
  readonly endpoint: Endpoint;
  readonly env: NodeJS.ProcessEnv;
  /** The CLI's stderr: the device code's prompt and the cache's notice (stdout may be JSON or CSV). */
  readonly note: (line: string) => void;
  readonly proxy?: string;
}

type Identity = typeof import('@azure/identity');

/**
 * The credential of `--auth MODE`: `@azure/identity`'s, loaded on its first token only (a run
 * with `--token` never loads it). What each mode needs is checked now: a missing tenant, app or
 * secret is a `CommandLineError` (exit code 2), before anything is sent.
 */
export function signInCredential(settings: SignInSettings, context: SignInContext): TokenCredential {
  const build = credentialBuilder(settings, context);
  let credential: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      credential ??= import('@azure/identity').then(build);
      try {
        return await (await credential).getToken(scopes, options);
      } catch (error) {
        if (options?.abortSignal?.aborted || error instanceof CommandLineError) throw error;
        throw new SignInError(settings.mode, error);
      }
    },
  };
}

/** `--auth` could not get a token: the credential's own words, on one line (exit code 4). */
export class SignInError extends Error {
  constructor(mode: string, cause: unknown) {
    const words = (cause instanceof Error ? cause.message : String(cause)).replace(/\s*\n\s*/g, ' ').trim();
    super(`--auth ${mode} could not sign in: ${words}`, { cause });
    this.name = 'SignInError';
  }
}

function credentialBuilder(settings: SignInSettings, context: SignInContext): (identity: Identity) => TokenCredential {
  const { env } = context;
  const common = { ...authority(context), ...proxyOptions(context.proxy) };
  switch (settings.mode) {
    case 'azure-cli':
      return (identity) =>
        appScope(new identity.AzureCliCredential({ ...(settings.tenant && { tenantId: settings.tenant }) }));
    case 'environment': {
      const missing = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID'].filter((name) => !env[name]);
      if (!env.AZURE_CLIENT_SECRET && !env.AZURE_CLIENT_CERTIFICATE_PATH) {
        missing.push('AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH');
      }
      if (missing.length > 0) throw new CommandLineError(`--auth environment needs ${missing.join(', ')}`);
      return (identity) => appScope(new identity.EnvironmentCredential(common));
    }
    case 'device-code': {
      const tenant = settings.tenant ?? env.AZURE_TENANT_ID;
      const clientId = settings.clientId ?? env.AZURE_CLIENT_ID;
      if (!tenant || !clientId) {
        throw new CommandLineError(
          `--auth device-code needs ${!tenant ? 'the tenant: --tenant or AZURE_TENANT_ID' : "the app's client ID: --client-id or AZURE_CLIENT_ID"}`,
        );
      }
      const folder = configFolder(env);
      return (identity) => deviceCodeCredential(identity, { tenant, clientId, folder, common, context });
    }
  }
}

/**
 * The authority: `AZURE_AUTHORITY_HOST` (the Azure convention) when set, else the `--cloud`'s
 * (`login.microsoftonline.us` for `usgov`), else `@azure/identity`'s default (the global cloud).
 * Instance discovery (Microsoft's list of its authorities) is skipped for any other host, which
 * has none: a test authority, AD FS.
 */
export function authority({ endpoint, env }: Pick<SignInContext, 'endpoint' | 'env'>): {
  authorityHost: string;
  disableInstanceDiscovery?: true;
} {
  const known = Object.values(clouds).map((cloud) => new URL(cloud.authority.replace('{tenant}', 'x')).origin);
  const fromCloud = 'cloud' in endpoint ? known[Object.keys(clouds).indexOf(endpoint.cloud)] : undefined;
  const authorityHost = new URL(env.AZURE_AUTHORITY_HOST || fromCloud || (known[0] as string)).origin;
  return { authorityHost, ...(!known.includes(authorityHost) && { disableInstanceDiscovery: true }) };
}

/** `@azure/identity`'s proxy settings (core-rest-pipeline's `ProxySettings`). */
export interface ProxyOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
}

/** `--proxy` as `@azure/identity`'s `proxyOptions`, so that signing in goes through it too. */
function proxyOptions(proxy: string | undefined): { proxyOptions?: ProxyOptions } {
  if (proxy === undefined) return {};
  const url = new URL(proxy);
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return {
    proxyOptions: {
      host: `${url.protocol}//${url.hostname}`,
      port,
      ...(url.username && { username: decodeURIComponent(url.username) }),
      ...(url.password && { password: decodeURIComponent(url.password) }),
    },
  };
}

/**
 * A credential asked for `.default` whatever scope the client asks: an app's own token
 * (client secret, certificate) has no other, and the Azure CLI takes a resource, not a scope. The
 * token is then app-only or the CLI user's as it is, and the service says which operations it may call.
 */
function appScope(credential: TokenCredential): TokenCredential {
  const asDefault = (scope: string) => scope.replace(/\/[^/]*$/, '/.default');
  return {
    getToken: (scopes, options) =>
      credential.getToken(typeof scopes === 'string' ? asDefault(scopes) : scopes.map(asDefault), options),
  };
}
