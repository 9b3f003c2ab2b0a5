import { type CloudName, clouds } from '../../clouds.js';
import type { AccessToken, TokenCredential, TokenProvider } from '../../core/call-types.js';
import { clientDefaults } from '../../core/defaults.js';
import { AuthenticationError } from '../../core/errors.js';
import { appUserOnly } from '../../generated/token-kinds.js';
import { untilAborted } from '../waiting.js';
import { challengeClaims } from './claims-challenge.js';
import type { Call, PipelineRequest, PipelineStep } from './pipeline.js';

/** After a 401: a fresh token, with the claims a challenge asked for. */
interface Refresh {
  claims?: string | undefined;
}

/** Where a call's tokens come from: `refresh` after a 401 (once a call), `undefined` before each attempt. */
type TokenSource = (call: Call, refresh: Refresh | undefined) => Promise<unknown> | unknown;

// Azure's bearerTokenAuthenticationPolicy asks for a new token 2 minutes before one expires.
const REFRESH_MARGIN_MS = 120_000;

/** A `TokenProvider`: asked before every attempt, with `forceRefresh` after a 401. */
function providerSource(provider: TokenProvider): TokenSource {
  return (call, refresh) => provider({ forceRefresh: refresh !== undefined, signal: call.signal });
}

/**
 * A `TokenCredential`, asked for the scope of the operation's token kind in the client's cloud
 * (`user_impersonation` for an operation that accepts app+user tokens only, `.default` for the
 * others), its token kept per scope until `refreshAfterTimestamp` or 2 minutes before it expires:
 * calls share one request for a scope's token. After a 401, a new `getToken` call, with the claims
 * of a `WWW-Authenticate` claims challenge when the service sent one.
 */
function credentialSource(credential: TokenCredential, cloud: CloudName): TokenSource {
  const { scope, userScope } = clouds[cloud];
  const tokens = new Map<string, Promise<AccessToken | null>>();
  const fresh = (token: AccessToken | null) =>
    !!token && Date.now() < (token.refreshAfterTimestamp ?? token.expiresOnTimestamp - REFRESH_MARGIN_MS);
  return async (call, refresh) => {
    const wanted = appUserOnly.has(call.plan.operationId) ? userScope : scope;
    let token = tokens.get(wanted);
    if (refresh || !token || !fresh(await token.catch(() => null))) {
      const options = { abortSignal: call.signal, ...(refresh?.claims && { claims: refresh.claims }) };
      token = Promise.resolve(credential.getToken([wanted], options));
      tokens.set(wanted, token);
      // A failed request is not kept: the next call asks again.
      token.catch(() => tokens.get(wanted) === token && tokens.delete(wanted));
    }
    return (await token)?.token;
  };
}

/** The token of one attempt (a non-empty string) within the call's deadline: a source that ignores the signal cannot hold the call past it. */
async function sourcedToken(source: TokenSource, call: Call, refresh: Refresh | undefined): Promise<string> {
  const { signal } = call;
  let token: unknown;
  try {
    token = await untilAborted(Promise.resolve(source(call, refresh)), signal);
  } catch (cause) {
    throw (await import('../failure-reading.js')).providerError(call.ids, cause);
  }
  signal?.throwIfAborted();
  if (typeof token !== 'string' || token === '') throw (await import('../failure-reading.js')).providerError(call.ids);
  return token;
}

/**
 * `Authorization: Bearer <token>` on every attempt, from a `TokenProvider` or a `TokenCredential`
 * asked before each attempt and, once per call, again after a 401 (`AuthenticationError`): with
 * `forceRefresh`, or a new `getToken` call with a claims challenge's claims. The attempt is then
 * sent again at once (a `refresh` event; no retry of the policy's), unless a credential answered
 * the token the service refused and the service asked for no claims. A token given as a string is
 * `fixed-token.ts`.
 */
export function credential(
  given: TokenProvider | TokenCredential,
  cloud: CloudName = clientDefaults.cloud,
): PipelineStep {
  const source = typeof given === 'function' ? providerSource(given) : credentialSource(given, cloud);
  const refreshed = new WeakSet<Call>();
  const authorize = async (request: PipelineRequest, call: Call, refresh?: Refresh) => {
    const authorization = `Bearer ${await sourcedToken(source, call, refresh)}`;
    const same = request.headers.Authorization === authorization;
    request.headers.Authorization = authorization;
    return same;
  };
  return {
    name: 'credential',
    async sendRequest(request, call, next) {
      await authorize(request, call);
      try {
        return await next(request, call);
      } catch (failure) {
        if (!(failure instanceof AuthenticationError) || refreshed.has(call) || call.signal?.aborted) throw failure;
        refreshed.add(call);
        const claims = challengeClaims(call.response?.headers['www-authenticate']);
        call.emit({ kind: 'refresh', failure });
        const same = await authorize(request, call, { claims });
        if (same && !claims && typeof given !== 'function') throw failure;
        return next(request, call);
      }
    },
  };
}
