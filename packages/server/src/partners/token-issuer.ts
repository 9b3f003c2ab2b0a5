// `--token-issuer`: access tokens of an OpenID Connect issuer (Microsoft Entra ID, or the test
// authority of `@usagebudget/server/testing`), verified with jose: the issuer's discovery document
// gives its JWKS, each JWT's RS256 signature is checked against it, and its claims say who calls
// (`tid`: the partner), with which kind of token (`scp` or none) and whether the user used MFA (`amr`).
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { faults, shown } from '../contract/faults.js';
import type { TokenKind } from './config-format.js';
import { tokenDigest } from './namespace-callers.js';

/** Partner Center's resource: the one audience accepted (tokens for graph.windows.net are not, as the spec says). */
export const PARTNER_CENTER_AUDIENCE = 'https://api.partnercenter.microsoft.com';
/** Clocks may differ this much between the issuer and the server. */
export const CLOCK_TOLERANCE_SECONDS = 30;
/** The delegated permission that makes a user's token an app+user token. */
const USER_PERMISSION = 'user_impersonation';
/** Where a multi-tenant issuer (Entra ID's `common`) puts the token's tenant in `iss`. */
const TENANT_PLACEHOLDER = '{tenantid}';
/** Verified tokens kept at most; past it the oldest go first. */
const MAX_CACHED = 10_000;
const DISCOVERY_TIMEOUT_MS = 10_000;

/** What a verified token says of its caller. */
export interface VerifiedToken {
  /** `tid`, lower case: the partner's tenant. */
  readonly tenantId: string;
  readonly kind: TokenKind;
  /** App+user: the sign-in used a second factor (`amr` holds `mfa`). Always true for app-only. */
  readonly mfa: boolean;
}

export interface TokenIssuer {
  /** The issuer as its discovery document names it (with `{tenantid}` for a multi-tenant one). */
  readonly issuer: string;
  /** Whether a bearer token is a JWT (three base64url parts, a JSON header): this issuer's to verify. */
  claims(token: string): boolean;
  /** The token's caller, from the cache when verified before (synchronous), else verified; throws a 401 `HttpError` saying why not. */
  verify(token: string): VerifiedToken | Promise<VerifiedToken>;
}

const JWT_SHAPE = /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/;

/** The issuer's discovery document (`<issuer>/.well-known/openid-configuration`): its `issuer` and `jwks_uri`. */
async function discover(issuerUrl: string): Promise<{ issuer: string; jwksUri: string }> {
  const base = issuerUrl.replace(/\/+$/, '');
  const where = `${base}/.well-known/openid-configuration`;
  let document: { issuer?: unknown; jwks_uri?: unknown };
  try {
    const response = await fetch(where, { signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    document = (await response.json()) as typeof document;
  } catch (error) {
    throw new Error(`--token-issuer: could not read ${where}: ${(error as Error).message}`);
  }
  const { issuer, jwks_uri: jwksUri } = document;
  if (typeof issuer !== 'string' || typeof jwksUri !== 'string') {
    throw new Error(`--token-issuer: ${where} has no issuer or jwks_uri`);
  }
  // OpenID Connect Discovery 1.0, 4.3: the document's issuer is the URL asked, or (Entra ID's
  // `common` and `organizations`) a template of it per tenant.
  if (issuer.replace(/\/+$/, '') !== base && !issuer.includes(TENANT_PLACEHOLDER)) {
    throw new Error(`--token-issuer: ${where} names the issuer ${issuer}, not ${base}`);
  }
  return { issuer, jwksUri };
}

/** Why a JWT failed verification, in words for the 401 (never the token itself). */
function reason(error: unknown, token: string): string {
  if (error instanceof errors.JWTExpired) {
    return `it expired at ${new Date(Number(error.payload.exp) * 1000).toISOString()}`;
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const { claim, payload } = error;
    if (claim === 'aud') return `its audience (aud) is ${shown(payload.aud ?? null)}, not ${PARTNER_CENTER_AUDIENCE}`;
    if (claim === 'nbf') return `it is not valid before ${new Date(Number(payload.nbf) * 1000).toISOString()}`;
    return `its ${claim} claim is not valid (${error.reason})`;
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    let kid: unknown;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {}
    return `it is signed by a key the issuer does not publish (kid ${shown(kid ?? null)})`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return "its signature does not verify with the issuer's key";
  if (error instanceof errors.JOSEAlgNotAllowed) return 'it is not signed with RS256';
  return 'it is not a well-formed signed JWT';
}

/** The caller a verified token's claims name: tenant, kind and MFA; a 401 when they name none. */
function callerOf(payload: JWTPayload, issuer: string): VerifiedToken {
  const tenantId = typeof payload.tid === 'string' ? payload.tid.toLowerCase() : undefined;
  if (!tenantId) throw faults.tokenRejected('it has no tenant id (tid)');
  const expected = issuer.replace(TENANT_PLACEHOLDER, tenantId);
  if (payload.iss?.toLowerCase() !== expected.toLowerCase()) {
    throw faults.tokenRejected(`its issuer (iss) is ${shown(payload.iss ?? null)}, not ${expected}`);
  }
  if (payload.scp === undefined) return { tenantId, kind: 'app-only', mfa: true };
  const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ') : [];
  if (!scopes.includes(USER_PERMISSION)) {
    throw faults.tokenRejected(`its delegated scopes (scp) do not include ${USER_PERMISSION}`);
  }
  const amr = Array.isArray(payload.amr) ? payload.amr : [];
  return { tenantId, kind: 'app+user', mfa: amr.includes('mfa') };
}

/** Verifies a JWT against the issuer's keys: its caller, or a 401 saying why not (503 when the keys cannot be read). */
async function verifyToken(token: string, keys: JWTVerifyGetKey, issuer: string) {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: ['RS256'],
      audience: PARTNER_CENTER_AUDIENCE,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp'],
    }));
  } catch (error) {
    // The keys could not be read (a network failure, a timeout, a JWKS answered with an error or
    // not a JWKS): the token may be good, so not a 401.
    const unread = !(error instanceof errors.JOSEError) || error.constructor === errors.JOSEError;
    if (unread || error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
      throw faults.issuerUnavailable();
    }
    throw faults.tokenRejected(reason(error, token));
  }
  return { verified: callerOf(payload, issuer), expiresAtMs: Number(payload.exp) * 1000 };
}

/**
 * Reads the issuer's discovery document and returns its verifier. The JWKS is fetched when first
 * needed, again when a token names a key it lacks (at most every 30 s: jose's cooldown), and kept.
 * A verified token is kept (by its SHA-256, until it expires): a client's next calls cost a map
 * lookup.
 */
export async function discoverTokenIssuer(issuerUrl: string): Promise<TokenIssuer> {
  const { issuer, jwksUri } = await discover(issuerUrl);
  const keys = createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: 30_000, timeoutDuration: 5_000 });
  const cached = new Map<string, { verified: VerifiedToken; expiresAtMs: number }>();
  return {
    issuer,
    claims: (token) => JWT_SHAPE.test(token),
    verify(token) {
      const digest = tokenDigest(token);
      const hit = cached.get(digest);
      if (hit && hit.expiresAtMs > Date.now()) return hit.verified;
      if (hit) cached.delete(digest);
      return verifyToken(token, keys, issuer).then((entry) => {
        if (cached.size >= MAX_CACHED) cached.delete(cached.keys().next().value as string);
        cached.set(digest, entry);
        return entry.verified;
      });
    },
  };
}
