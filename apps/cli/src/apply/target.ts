import { createHash } from 'node:crypto';
import {
  type CallOptions,
  isGuid,
  PartnerCenterError,
  type TokenCredential,
  type TokenProvider,
  type UsageBudgetClient,
} from '@usagebudget/client';
import { tokenClaims } from '../token-claims.js';
import { currentToken } from '../token-sources.js';

// The answers of a service that will not say whose token it is: the read is refused to this token
// (an app-only token: 403), or the service has no such read (retired: 404, 405, 410, 501). Any
// other failure (throttled, unreachable, a token refused) ends the run: a partner guessed
// differently from one run to the next would refuse to continue a run it should.
const SILENT_STATUSES = new Set([403, 404, 405, 410, 501]);

/**
 * Whose budgets a run sets, and where: what a journal records, so that a run is continued only
 * against the service and for the partner it started with. Continued elsewhere, its journal's
 * "done" rows would be skipped on a service that never got them, and its request ids replayed
 * where they mean nothing.
 */
export interface RunTarget {
  /** The service's base URL, normalised: `https://api.partnercenter.microsoft.com`. */
  readonly service: string;
  /**
   * The partner: its tenant ID (a GUID, lower case) as the service or the token says it, or
   * `token <fingerprint>` for an opaque token whose partner nothing says.
   */
  readonly partner: string;
}

/** A base URL as a journal records it: scheme, host, port and path, without a trailing slash. */
export function normalisedService(baseURL: string): string {
  const url = new URL(baseURL);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/**
 * The tenant a token was issued for: the `tid` claim of a JWT (what Microsoft Entra ID issues for
 * Partner Center: the partner's tenant ID), read without verifying the signature (the service
 * verifies the token; here it only names the partner). `undefined` for any other token.
 */
export function tokenTenant(token: string): string | undefined {
  const tid = tokenClaims(token)?.tid;
  return typeof tid === 'string' && isGuid(tid) ? tid.toLowerCase() : undefined;
}

/** A token's fingerprint: the first 16 hex digits of a SHA-256 of it; it cannot give the token back. */
export function tokenFingerprint(token: string): string {
  return createHash('sha256').update('usagebudget apply partner\0').update(token).digest('hex').slice(0, 16);
}

/**
 * The target of a run: the service's URL, and the partner. The partner is what the service says
 * first: the partner usage summary's `resourceId`, the partner's tenant ID (one
 * `GET /v1/usagesummary`). Where it does not say (an app-only token, which that read refuses; a
 * service that has retired it), the token's tenant (`tid`) when the token is a JWT; otherwise a
 * fingerprint of the token (an opaque token of a test server). Partner Center has no other read
 * of who the caller is in this API. A failure of that read other than the service not saying
 * (throttled with no retry left, unreachable, a token refused) is thrown, as the reads after it
 * would fail too.
 */
export async function runTarget(
  client: UsageBudgetClient,
  baseURL: string,
  credential: string | TokenProvider | TokenCredential,
  options: CallOptions,
): Promise<RunTarget> {
  const service = normalisedService(baseURL);
  try {
    const summary = await client.getPartnerUsageSummary(options);
    if (isGuid(summary.resourceId)) return { service, partner: summary.resourceId.toLowerCase() };
  } catch (error) {
    if (!(error instanceof PartnerCenterError && SILENT_STATUSES.has(error.status ?? 0))) throw error;
  }
  const token = await currentToken(credential, options.signal);
  return { service, partner: tokenTenant(token) ?? `token ${tokenFingerprint(token)}` };
}
