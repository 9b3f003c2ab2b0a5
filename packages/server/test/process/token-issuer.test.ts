// `--token-issuer`: the server bin verifies JWTs of the test authority (an OpenID Connect issuer on
// loopback over HTTPS, its CA given to the server as NODE_EXTRA_CA_CERTS; every tenant's issuer
// through `startServerProcess({ authority })`): the signature against
// the issuer's JWKS, the issuer, audience and expiry, the partner from `tid`, the kind from `scp`,
// MFA from `amr`. One authority and one server for the file; tokens signed directly.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  budgetPath,
  jsonHeaders,
  type RawResponse,
  randomPartner,
  runToEnd,
  type ServerProcess,
  sendRaw,
  serverBinPath,
  specViolations,
  startServerProcess,
  startTestAuthority,
  type TestAuthority,
} from '../../src/testing/index.js';

const partner = randomPartner('Contoso');
const customer = partner.customers[0] as string;
const summaryPath = `/v1/customers/${customer}/usagesummary`;
let authority: TestAuthority;
let server: ServerProcess;

beforeAll(async () => {
  authority = await startTestAuthority();
  server = await startServerProcess({
    config: { partners: [partner] },
    db: ':memory:',
    authority,
    args: ['--no-access-log'],
  });
});

afterAll(async () => {
  await server?.stop();
  await authority?.stop();
});

const call = async (token: string, path = budgetPath(customer)): Promise<RawResponse> => {
  const response = await sendRaw(server.url, { path, headers: jsonHeaders(token) });
  expect(specViolations('GET', path, response)).toEqual([]);
  // Whatever the answer, the token is never in it.
  expect(`${JSON.stringify(response.headers)}${response.text}`).not.toContain(token.split('.')[2]);
  return response;
};
const fault = (response: RawResponse) => JSON.parse(response.text) as { code: number | string; description: string };

const appOnly = () => authority.signToken(partner.id);
const appUser = (mfa: boolean) =>
  authority.signToken(partner.id, { scp: 'user_impersonation', amr: mfa ? ['pwd', 'mfa'] : ['pwd'], idtyp: 'user' });

describe('tokens of the issuer', () => {
  it('lets an app-only token (no scp) call an operation that takes app-only tokens, as its tenant', async () => {
    const response = await call(await appOnly());
    expect(response.status).toBe(200);
    // Verified once, then kept: the same token again is answered alike.
    expect((await call(await appOnly())).status).toBe(200);
  });

  it('refuses an app-only token on an app+user operation with 403 TokenKindNotAccepted', async () => {
    const response = await call(await appOnly(), summaryPath);
    expect(response.status).toBe(403);
    expect(fault(response).code).toBe('TokenKindNotAccepted');
  });

  it('lets an app+user token with MFA call an app+user operation', async () => {
    expect((await call(await appUser(true), summaryPath)).status).toBe(200);
  });

  it('answers an app+user token without MFA 401 with code 900421, on every operation', async () => {
    const token = await appUser(false);
    for (const path of [summaryPath, budgetPath(customer)]) {
      const response = await call(token, path);
      expect(response.status).toBe(401);
      expect(fault(response).code).toBe(900421);
      expect(fault(response).description).toMatch(/multi-factor authentication/);
    }
  });

  it('keeps configured string tokens working beside the issuer', async () => {
    expect((await call(partner.tokens[0] as string)).status).toBe(200);
  });
});

describe('tokens refused with 401, saying why', () => {
  const refusal = async (token: string) => {
    const response = await call(token);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    return fault(response).description;
  };

  it('an expired token', async () => {
    expect(await refusal(await authority.signToken(partner.id, {}, { lifetimeSeconds: -300 }))).toMatch(
      /not valid: it expired at \d{4}-/,
    );
  });

  it('a token signed by a key the issuer does not publish', async () => {
    expect(await refusal(await authority.signToken(partner.id, {}, { unknownKey: true }))).toMatch(
      /signed by a key the issuer does not publish/,
    );
  });

  it('a token for another audience, whatever characters it names', async () => {
    expect(await refusal(await authority.signToken(partner.id, { aud: 'https://graph.windows.net' }))).toMatch(
      /audience \(aud\) is https:\/\/graph.windows.net, not https:\/\/api.partnercenter.microsoft.com/,
    );
    // Claims reach the WWW-Authenticate header's description, which holds printable ASCII only.
    expect(await refusal(await authority.signToken(partner.id, { aud: 'api://€"\n' }))).toContain('api://€"\n, not');
  });

  it("a token whose issuer is not its tenant's at this issuer", async () => {
    const iss = `https://login.example.test/${partner.id}/v2.0`;
    expect(await refusal(await authority.signToken(partner.id, { iss }))).toMatch(/its issuer \(iss\) is/);
  });

  it('a token of a tenant that is no partner of the server', async () => {
    const tenant = randomUUID();
    expect(await refusal(await authority.signToken(tenant))).toMatch(
      new RegExp(`tenant \\(tid ${tenant}\\) is not a partner`),
    );
  });

  it('a delegated token without user_impersonation', async () => {
    expect(await refusal(await authority.signToken(partner.id, { scp: 'User.Read' }))).toMatch(
      /scopes \(scp\) do not include user_impersonation/,
    );
  });

  it('a JWT-looking string that is no signed JWT', async () => {
    expect(await refusal('eyJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ4In0.c2lnbmF0dXJl')).toMatch(/not valid/);
  });
});

describe('an issuer that cannot be reached', () => {
  it("answers 503 with Retry-After when the issuer's keys cannot be read: the token may be good", async () => {
    const gone = await startTestAuthority();
    const tenant = randomPartner('Fabrikam');
    const alone = await startServerProcess({
      config: { partners: [tenant] },
      db: ':memory:',
      // One tenant's issuer, as a deployment for one partner would name it.
      args: ['--token-issuer', gone.issuer(tenant.id), '--no-access-log'],
      env: { ...process.env, NODE_EXTRA_CA_CERTS: gone.caFile },
    });
    try {
      // Discovered at start; the keys are fetched with the first token, once the issuer is gone.
      const token = await gone.signToken(tenant.id);
      await gone.stop();
      const path = budgetPath(tenant.customers[0] as string);
      const response = await sendRaw(alone.url, { path, headers: jsonHeaders(token) });
      expect(specViolations('GET', path, response)).toEqual([]);
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(fault(response).description).toMatch(/token issuer's signing keys could not be read/);
    } finally {
      await alone.stop();
      await gone.stop().catch(() => {});
    }
  });
});

describe('the flag', () => {
  it('fails the start with the reason when the issuer cannot be read', async () => {
    const finished = await runToEnd(
      process.execPath,
      [serverBinPath, '--db', ':memory:', '--port', '0', '--token-issuer', 'https://localhost:1/x/v2.0'],
      {
        timeoutMs: 60_000,
      },
    );
    expect(finished.code).toBe(1);
    expect(finished.stderr).toMatch(
      /--token-issuer: could not read https:\/\/localhost:1\/x\/v2.0\/.well-known\/openid-configuration/,
    );
  });

  it('refuses a URL that is not https (http on loopback only), given as its variable too', async () => {
    const finished = await runToEnd(process.execPath, [serverBinPath], {
      env: { ...process.env, USAGEBUDGET_TOKEN_ISSUER: 'http://example.com/t/v2.0' },
      timeoutMs: 60_000,
    });
    expect(finished.code).toBe(2);
    expect(finished.stderr).toMatch(/USAGEBUDGET_TOKEN_ISSUER: "http:\/\/example.com\/t\/v2.0" is not an https URL/);
  });
});
