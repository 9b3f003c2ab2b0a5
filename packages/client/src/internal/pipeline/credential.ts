import type { TokenProvider } from '../../core/call-types.js';
import { AuthenticationError } from '../../core/errors.js';
import { untilAborted } from '../waiting.js';
import type { Call, PipelineRequest, PipelineStep } from './pipeline.js';

/**
 * The token of one attempt, from a `TokenProvider` (which must answer a non-empty string) within
 * the call's deadline: a provider that ignores the signal cannot hold the call past it.
 */
async function providedToken(provider: TokenProvider, forceRefresh: boolean, call: Call): Promise<string> {
  const { signal } = call;
  let token: unknown;
  try {
    token = await untilAborted(Promise.resolve(provider({ forceRefresh, signal })), signal);
  } catch (cause) {
    throw (await import('../failure-reading.js')).providerError(call.ids, cause);
  }
  signal?.throwIfAborted();
  if (typeof token !== 'string' || token === '') throw (await import('../failure-reading.js')).providerError(call.ids);
  return token;
}

/**
 * `Authorization: Bearer <token>` on every attempt, from a `TokenProvider` asked before each
 * attempt and, once per call, again with `forceRefresh` after a 401 (`AuthenticationError`),
 * whose attempt is then sent again at once (a `refresh` event; no retry of the policy's). A token
 * given as a string is `fixed-token.ts`.
 */
export function credential(source: TokenProvider): PipelineStep {
  const refreshed = new WeakSet<Call>();
  const authorize = async (request: PipelineRequest, call: Call, forceRefresh: boolean) => {
    request.headers.Authorization = `Bearer ${await providedToken(source, forceRefresh, call)}`;
  };
  return {
    name: 'credential',
    async sendRequest(request, call, next) {
      await authorize(request, call, false);
      try {
        return await next(request, call);
      } catch (failure) {
        if (!(failure instanceof AuthenticationError) || refreshed.has(call) || call.signal?.aborted) throw failure;
        refreshed.add(call);
        call.emit({ kind: 'refresh', failure });
        await authorize(request, call, true);
        return next(request, call);
      }
    },
  };
}
