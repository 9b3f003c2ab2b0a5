import type { TokenProvider } from '../core/call-types.js';
import { AuthenticationError } from '../core/errors.js';
import type { CallIds } from './error-mapping.js';

/** The token of one attempt: the fixed string, or the provider's answer, which must be a non-empty string. */
export async function getToken(
  credential: string | TokenProvider,
  forceRefresh: boolean,
  signal: AbortSignal | undefined,
  ids: CallIds,
): Promise<string> {
  if (typeof credential === 'string') return credential;
  let token: unknown;
  try {
    token = await credential({ forceRefresh, signal });
  } catch (cause) {
    throw new AuthenticationError(`the credential provider failed: ${(cause as Error)?.message ?? cause}`, ids, {
      cause,
    });
  }
  if (typeof token !== 'string' || token === '') {
    throw new AuthenticationError('the credential provider returned no token', ids);
  }
  return token;
}
