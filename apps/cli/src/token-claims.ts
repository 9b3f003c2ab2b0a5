/**
 * The claims of a JWT access token: its payload, decoded WITHOUT verifying the signature (the
 * service verifies the token; the CLI only reads who it names). `undefined` for a token that is not
 * a JWT (an opaque token of a test server). The header and the signature are never read.
 */
export function tokenClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8'));
    return claims !== null && typeof claims === 'object' && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** What `whoami` shows of a token: never the token, nor any part of it but these claims. */
export interface TokenIdentity {
  /** `jwt`, or `opaque`: a token whose claims cannot be read (the other fields are then `null`). */
  readonly format: 'jwt' | 'opaque';
  /** `tid`: the tenant the token was issued in (the partner's, for Partner Center). */
  readonly tenantId: string | null;
  /** `app+user` (a delegated token: `scp`), `app-only` (`roles`, or `idtyp` app), or `null` when it says neither. */
  readonly kind: 'app+user' | 'app-only' | null;
  /** Whether `amr` shows multi-factor authentication; `null` when the token has no `amr` (app-only tokens). */
  readonly mfa: boolean | null;
  /** The signed-in user: `upn`, `preferred_username`, `unique_name` or `email`. */
  readonly user: string | null;
  /** The user's display name (`name`). */
  readonly name: string | null;
  /** The app: its display name (`app_displayname`) when the token has one. */
  readonly app: string | null;
  /** The app's client ID (`azp` or `appid`). */
  readonly appId: string | null;
  /** `scp`'s scopes, or `roles`' app roles. */
  readonly scopes: readonly string[];
  readonly roles: readonly string[];
  /** `exp`, as an ISO 8601 time. */
  readonly expiresOn: string | null;
  readonly audience: string | null;
}

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
const texts = (value: unknown) =>
  Array.isArray(value) ? value.filter((each): each is string => typeof each === 'string') : [];

/** The identity a token names, from its claims (unverified: see {@link tokenClaims}). */
export function tokenIdentity(token: string): TokenIdentity {
  const claims = tokenClaims(token) ?? {};
  const jwt = tokenClaims(token) !== undefined;
  const scopes = text(claims.scp)?.split(' ').filter(Boolean) ?? [];
  const roles = texts(claims.roles);
  const kind =
    scopes.length > 0 || claims.idtyp === 'user'
      ? 'app+user'
      : roles.length > 0 || claims.idtyp === 'app'
        ? 'app-only'
        : null;
  const amr = Array.isArray(claims.amr) ? texts(claims.amr) : null;
  const exp = typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? new Date(claims.exp * 1000) : null;
  return {
    format: jwt ? 'jwt' : 'opaque',
    tenantId: text(claims.tid),
    kind: jwt ? kind : null,
    mfa: amr === null ? null : amr.includes('mfa'),
    user: text(claims.upn) ?? text(claims.preferred_username) ?? text(claims.unique_name) ?? text(claims.email),
    name: text(claims.name),
    app: text(claims.app_displayname),
    appId: text(claims.azp) ?? text(claims.appid),
    scopes,
    roles,
    expiresOn: exp && !Number.isNaN(exp.getTime()) ? exp.toISOString() : null,
    audience: text(claims.aud),
  };
}
