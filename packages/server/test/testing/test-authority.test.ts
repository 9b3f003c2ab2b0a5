// The test authority's endpoints as a client without MSAL sees them (HTTPS trusting its CA):
// discovery, JWKS, the three grants and their errors, and tokens that verify with jose against
// its JWKS. The flows with @azure/identity's credentials are the client's sign-in-flows tests.
import { request } from 'node:https';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAuthority, type TestAuthority } from '../../src/testing/index.js';

const TENANT = '0b1c2d3e-4f50-4617-8283-94a5b6c7d8e9';
const API = 'https://api.partnercenter.microsoft.com';
let authority: TestAuthority;

beforeAll(async () => {
  authority = await startTestAuthority();
  authority.addApp({ tenantId: TENANT, clientId: 'app', clientSecret: 'secret', roles: ['Budgets.ReadWrite'] });
  authority.addUser({ tenantId: TENANT, clientId: 'public', username: 'ada@contoso.test', mfa: true });
});

afterAll(() => authority.stop());

/** A GET, or a POST of `form`, over HTTPS trusting the authority's CA: the status and JSON body. */
function send(path: string, form?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const body = form && new URLSearchParams(form).toString();
    const outgoing = request(
      `${authority.url}${path}`,
      {
        method: form ? 'POST' : 'GET',
        ca: authority.caPem,
        headers: form ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const verify = async (token: unknown, audience = API) => {
  const { body: jwks } = await send(`/${TENANT}/discovery/v2.0/keys`);
  const keys = createLocalJWKSet(jwks as unknown as Parameters<typeof createLocalJWKSet>[0]);
  return (await jwtVerify(String(token), keys, { issuer: authority.issuer(TENANT), audience })).payload;
};

describe('discovery', () => {
  it("serves a tenant's OpenID configuration, and the multi-tenant issuer template for common", async () => {
    const { status, body } = await send(`/${TENANT}/v2.0/.well-known/openid-configuration`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      issuer: authority.issuer(TENANT),
      token_endpoint: `${authority.url}/${TENANT}/oauth2/v2.0/token`,
      device_authorization_endpoint: `${authority.url}/${TENANT}/oauth2/v2.0/devicecode`,
      jwks_uri: `${authority.url}/${TENANT}/discovery/v2.0/keys`,
    });
    expect((await send('/common/v2.0/.well-known/openid-configuration')).body.issuer).toBe(
      `${authority.url}/{tenantid}/v2.0`,
    );
  });
});

describe('grants', () => {
  it('client credentials: an app-only token (roles, no scp) that verifies against the JWKS', async () => {
    const { status, body } = await send(`/${TENANT}/oauth2/v2.0/token`, {
      grant_type: 'client_credentials',
      client_id: 'app',
      client_secret: 'secret',
      scope: `${API}/.default`,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const claims = await verify(body.access_token);
    expect(claims).toMatchObject({ tid: TENANT, azp: 'app', roles: ['Budgets.ReadWrite'], idtyp: 'app' });
    expect(claims.scp).toBeUndefined();
    expect(authority.tokenRequests('client_credentials').at(-1)?.form.get('client_secret')).toBe('secret');
  });

  it('device code approved at once, then a refresh token: app+user tokens with scp and amr, an ID token and client_info', async () => {
    const code = await send(`/${TENANT}/oauth2/v2.0/devicecode`, {
      client_id: 'public',
      scope: `${API}/user_impersonation openid profile offline_access`,
    });
    expect(code.body.message).toMatch(/enter the code \w+ to authenticate/);
    const { body } = await send(`/${TENANT}/oauth2/v2.0/token`, {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      client_id: 'public',
      device_code: String(code.body.device_code),
    });
    expect(await verify(body.access_token)).toMatchObject({ scp: 'user_impersonation', amr: ['pwd', 'mfa'] });
    expect(await verify(body.id_token, 'public')).toMatchObject({ preferred_username: 'ada@contoso.test' });
    const info = JSON.parse(Buffer.from(String(body.client_info), 'base64url').toString());
    expect(info).toEqual({ uid: decodeJwt(String(body.access_token)).oid, utid: TENANT });
    const renewed = await send(`/${TENANT}/oauth2/v2.0/token`, {
      grant_type: 'refresh_token',
      client_id: 'public',
      refresh_token: String(body.refresh_token),
      scope: `${API}/.default openid`,
    });
    expect(await verify(renewed.body.access_token)).toMatchObject({ scp: 'user_impersonation' });
  });

  it('answers what Entra ID answers a wrong secret, an unknown app, a scope without /.default and a made-up code', async () => {
    const token = (form: Record<string, string>) => send(`/${TENANT}/oauth2/v2.0/token`, form);
    const app = { grant_type: 'client_credentials', client_id: 'app', scope: `${API}/.default` };
    const answers = await Promise.all([
      token({ ...app, client_secret: 'wrong' }),
      token({ ...app, client_id: 'nobody', client_secret: 'secret' }),
      token({ ...app, client_secret: 'secret', scope: `${API}/user_impersonation` }),
      token({ grant_type: 'device_code', client_id: 'public', device_code: 'made-up' }),
    ]);
    expect(answers.map(({ status, body }) => [status, body.error, (body.error_codes as number[])[0]])).toEqual([
      [401, 'invalid_client', 7000215],
      [400, 'unauthorized_client', 700016],
      [400, 'invalid_scope', 1002012],
      [400, 'invalid_grant', 70000],
    ]);
  });
});

describe('faults to order', () => {
  it('issues expired tokens, next ones first, and tokens signed by a key its JWKS lacks', async () => {
    authority.nextLifetimes.push(-120);
    const form = {
      grant_type: 'client_credentials',
      client_id: 'app',
      client_secret: 'secret',
      scope: `${API}/.default`,
    };
    const expired = (await send(`/${TENANT}/oauth2/v2.0/token`, form)).body;
    expect(expired.expires_in).toBe(-120);
    await expect(verify(expired.access_token)).rejects.toThrow(/"exp" claim timestamp check failed/);
    authority.signWithUnknownKey = true;
    const unknown = (await send(`/${TENANT}/oauth2/v2.0/token`, form)).body;
    authority.signWithUnknownKey = false;
    expect(unknown.expires_in).toBe(3600);
    await expect(verify(unknown.access_token)).rejects.toThrow(/no applicable key found/);
  });
});
