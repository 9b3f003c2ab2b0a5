// The test authority's tokens: RS256 JWTs shaped like Microsoft Entra ID's v2 access tokens and ID
// tokens, signed with a key of its own (published in its JWKS) or with one it never publishes.
import { randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

type SigningKey = { readonly kid: string; readonly privateKey: CryptoKey; readonly jwk: JWK };

async function signingKey(): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' } };
}

/** Its key, in its JWKS, and a key of the same form it never publishes (a token "signed by an unknown key"). */
export interface AuthorityKeys {
  readonly jwks: { readonly keys: readonly JWK[] };
  sign(claims: JWTPayload, unknownKey?: boolean): Promise<string>;
}

export async function authorityKeys(): Promise<AuthorityKeys> {
  const [own, unknown] = await Promise.all([signingKey(), signingKey()]);
  return {
    jwks: { keys: [own.jwk] },
    sign: (claims, unknownKey = false) => {
      const key = unknownKey ? unknown : own;
      return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid }).sign(key.privateKey);
    },
  };
}

/** Who a token is for: an app (client credentials) or a user signed in to an app (device code, refresh token). */
export interface Subject {
  readonly tenantId: string;
  readonly clientId: string;
  /** The object id of the app's service principal or of the user: `oid` and `sub`. */
  readonly objectId: string;
  /** An app's app roles: the `roles` claim of an app-only token. */
  readonly roles?: readonly string[];
  /** A user's sign-in name (`preferred_username`, `upn`); absent for an app. */
  readonly username?: string;
  /** Whether the user's sign-in used a second factor: `amr` is `['pwd', 'mfa']`, else `['pwd']`. */
  readonly mfa?: boolean;
}

/** `iat`, `nbf` and `exp` of a token living `lifetimeSeconds` (negative: expired already) from now. */
export function times(lifetimeSeconds: number): { iat: number; nbf: number; exp: number } {
  const now = Math.floor(Date.now() / 1000);
  // A token already expired was issued before it expired: nbf and iat stay before exp.
  const iat = Math.min(now, now + lifetimeSeconds - 60);
  return { iat, nbf: iat, exp: now + lifetimeSeconds };
}

/** An access token's claims, as Entra ID's v2 tokens carry them: `scp` for a user, `roles` for an app. */
export function accessTokenClaims(
  subject: Subject,
  issuer: string,
  grant: { audience: string; scopes: readonly string[]; lifetimeSeconds: number },
): JWTPayload {
  const user = subject.username !== undefined;
  return {
    aud: grant.audience,
    iss: issuer,
    ...times(grant.lifetimeSeconds),
    azp: subject.clientId,
    azpacr: user ? '0' : '1',
    idtyp: user ? 'user' : 'app',
    oid: subject.objectId,
    sub: subject.objectId,
    tid: subject.tenantId,
    uti: randomUUID(),
    ver: '2.0',
    ...(user
      ? {
          scp: grant.scopes.join(' '),
          amr: subject.mfa ? ['pwd', 'mfa'] : ['pwd'],
          preferred_username: subject.username,
          upn: subject.username,
          name: subject.username,
        }
      : subject.roles?.length
        ? { roles: [...subject.roles] }
        : {}),
  };
}

/** A user's ID token (what MSAL reads the account from: `tid`, `oid`, `preferred_username`); its audience is the app. */
export function idTokenClaims(subject: Subject, issuer: string, lifetimeSeconds: number): JWTPayload {
  return {
    aud: subject.clientId,
    iss: issuer,
    ...times(Math.max(lifetimeSeconds, 3600)),
    oid: subject.objectId,
    sub: subject.objectId,
    tid: subject.tenantId,
    preferred_username: subject.username,
    name: subject.username,
    ver: '2.0',
  };
}

/** `client_info`, which MSAL asks for (`client_info=1`) to key its cache by account: base64url of `{uid, utid}`. */
export const clientInfo = (subject: Subject) =>
  Buffer.from(JSON.stringify({ uid: subject.objectId, utid: subject.tenantId })).toString('base64url');
