// The token endpoint's grants, as Microsoft Entra ID answers them: client credentials for an app,
// device code (approved at once for the registered user) and refresh token for a user.
import { randomBytes, randomUUID } from 'node:crypto';
import { type AuthorityKeys, accessTokenClaims, clientInfo, idTokenClaims, type Subject } from './tokens.js';

/** A registered app: client credentials give it an app-only token (`roles`). */
export interface TestApp {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Its app roles: the `roles` claim. */
  readonly roles?: readonly string[];
  /** Its service principal's object id (`oid`). Default: a new GUID. */
  readonly objectId?: string;
}

/** A registered user of an app: device code signs them in at once (`scp`, `amr`), refresh tokens renew. */
export interface TestUser {
  readonly tenantId: string;
  /** The app (public client) the user signs in to. */
  readonly clientId: string;
  readonly username: string;
  /** Whether the sign-in used a second factor: `amr` holds `mfa`. */
  readonly mfa: boolean;
  /** The user's object id (`oid`). Default: a new GUID. */
  readonly objectId?: string;
}

/** An OAuth error answer: status and body as Entra ID sends them (`AADSTS` codes). */
export class GrantError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    description: string,
  ) {
    super(`AADSTS${code}: ${description}`);
  }
  body(): Record<string, unknown> {
    return {
      error: this.error,
      error_description: this.message,
      error_codes: [this.code],
      timestamp: new Date().toISOString(),
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
    };
  }
}

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

/** The resource and the permissions of a requested scope list (`https://api.partnercenter.microsoft.com/user_impersonation openid ...`). */
export function resourceScopes(scope: string | null): { audience: string; permissions: string[] } {
  const wanted = (scope ?? '').split(' ').filter((one) => one !== '' && !OIDC_SCOPES.has(one));
  const first = wanted[0];
  if (!first?.includes('/'))
    throw new GrantError(400, 'invalid_scope', 70011, `The provided scope '${scope}' is not valid.`);
  const audience = first.slice(0, first.lastIndexOf('/'));
  return { audience, permissions: wanted.map((one) => one.slice(one.lastIndexOf('/') + 1)) };
}

/** Who a device code or a refresh token stands for, and the scope asked when it was issued (a later request may omit it). */
export interface Granted {
  readonly subject: Subject;
  readonly scope: string | null;
}

/** What the token endpoint answers a grant with. */
export interface TokenAnswer {
  readonly token_type: 'Bearer';
  readonly access_token: string;
  readonly expires_in: number;
  readonly ext_expires_in: number;
  readonly scope?: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
  readonly client_info?: string;
}

/** Issues the tokens of a grant: app-only, or a user's with an ID token, `client_info` and a refresh token. */
export async function issue(
  keys: AuthorityKeys,
  issuer: string,
  subject: Subject,
  grant: { scope: string | null; lifetimeSeconds: number; unknownKey: boolean; refreshTokens: Map<string, Granted> },
): Promise<TokenAnswer> {
  const { audience, permissions } = resourceScopes(grant.scope);
  const user = subject.username !== undefined;
  // A user asking for `.default` gets the API's delegated permission, as consent would grant it.
  const scopes = user ? permissions.map((one) => (one === '.default' ? 'user_impersonation' : one)) : permissions;
  const claims = accessTokenClaims(subject, issuer, { audience, scopes, lifetimeSeconds: grant.lifetimeSeconds });
  const answer = {
    token_type: 'Bearer' as const,
    access_token: await keys.sign(claims, grant.unknownKey),
    expires_in: grant.lifetimeSeconds,
    ext_expires_in: grant.lifetimeSeconds,
  };
  if (!user) return answer;
  const refreshToken = randomBytes(24).toString('base64url');
  grant.refreshTokens.set(refreshToken, { subject, scope: grant.scope });
  return {
    ...answer,
    scope: scopes.map((one) => `${audience}/${one}`).join(' '),
    refresh_token: refreshToken,
    id_token: await keys.sign(idTokenClaims(subject, issuer, grant.lifetimeSeconds)),
    client_info: clientInfo(subject),
  };
}
