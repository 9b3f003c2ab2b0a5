import { ClientSecretCredential, DefaultAzureCredential, DeviceCodeCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import {
  type AccessToken,
  AuthenticationError,
  type GetTokenOptions,
  MfaRequiredError,
  type TokenCredential,
  UsageBudgetClient,
} from '../src/index.js';
import { clientOf, failure } from './support/client-of.js';
import { budget, TENANT, useFaultServer } from './support/fault-server.js';

const server = useFaultServer();

const DEFAULT = 'https://api.partnercenter.microsoft.com/.default';
const USER = 'https://api.partnercenter.microsoft.com/user_impersonation';
const HOUR = 3_600_000;

/** A credential that answers `tokens` in turn, recording what it was asked. */
function scriptedCredential(...tokens: (AccessToken | null)[]) {
  const asked: { scopes: string | string[]; options: GetTokenOptions | undefined }[] = [];
  const credential: TokenCredential = {
    async getToken(scopes, options) {
      asked.push({ scopes, options });
      return tokens.length > 1 ? (tokens.shift() ?? null) : (tokens[0] ?? null);
    },
  };
  return { credential, asked };
}

const token = (value: string, expiresInMs = HOUR): AccessToken => ({
  token: value,
  expiresOnTimestamp: Date.now() + expiresInMs,
});

const authorizations = () => server.requests.map((request) => request.headers.authorization);

describe('a TokenCredential', () => {
  it('is assignable from @azure/identity credentials, structurally (type-level, checked by tsc)', () => {
    const credentials: TokenCredential[] = [
      new ClientSecretCredential('00000000-0000-0000-0000-000000000001', 'client', 'secret'),
      new DeviceCodeCredential({ tenantId: '00000000-0000-0000-0000-000000000001', clientId: 'client' }),
      new DefaultAzureCredential(),
    ];
    for (const credential of credentials) expect(() => new UsageBudgetClient({ credential })).not.toThrow();
  });

  it('is asked for .default on an operation that accepts both kinds, user_impersonation on an app+user one', async () => {
    const { credential, asked } = scriptedCredential(token('app-token'));
    server.enqueue({ status: 200, json: budget(4) }, { status: 599, text: 'stop' });
    const client = clientOf(server, { credential, maxRetries: 0 });
    await client.getBudget(TENANT);
    await client.getCustomerUsageSummary(TENANT).catch(() => undefined);
    expect(asked.map(({ scopes }) => scopes)).toEqual([[DEFAULT], [USER]]);
    expect(authorizations()).toEqual(['Bearer app-token', 'Bearer app-token']);
  });

  it('keeps a token per scope until 2 minutes before it expires, one request for concurrent calls', async () => {
    const { credential, asked } = scriptedCredential(token('long'), token('short', 60_000), token('next'));
    for (let i = 0; i < 5; i++) server.enqueue({ status: 200, json: budget(i) });
    const client = clientOf(server, { credential });
    await Promise.all([client.getBudget(TENANT), client.getBudget(TENANT)]);
    expect(asked).toHaveLength(1);
    const other = clientOf(server, { credential });
    await other.getBudget(TENANT); // 'short': within 2 minutes of its expiry, not kept
    await other.getBudget(TENANT);
    expect(asked).toHaveLength(3);
    expect(authorizations()).toEqual(['Bearer long', 'Bearer long', 'Bearer short', 'Bearer next']);
  });

  it('after a 401 with a claims challenge, asks again with the decoded claims and resends once', async () => {
    const claims = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}';
    const challenge = `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="${btoa(claims)}"`;
    const { credential, asked } = scriptedCredential(token('revoked'), token('renewed'));
    server.enqueue(
      { status: 401, json: { code: 800001, description: 'token revoked' }, headers: { 'WWW-Authenticate': challenge } },
      { status: 200, json: budget(7) },
    );
    await expect(clientOf(server, { credential }).getBudget(TENANT)).resolves.toMatchObject({ amount: 7 });
    expect(asked.map(({ options }) => options?.claims)).toEqual([undefined, claims]);
    expect(authorizations()).toEqual(['Bearer revoked', 'Bearer renewed']);
    expect(new Set(server.requests.map((request) => request.headers['ms-requestid'])).size).toBe(1);
  });

  it('after a 401 without a challenge, asks again once, and resends only a different token', async () => {
    const fault = { status: 401, json: { code: 800001, description: 'expired' } };
    const same = scriptedCredential(token('one'));
    server.enqueue(fault);
    const error = await failure(clientOf(server, { credential: same.credential }).getBudget(TENANT));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(same.asked).toHaveLength(2);
    expect(server.requests).toHaveLength(1);

    await server.reset();
    const renewed = scriptedCredential(token('old'), token('new'), token('newer'));
    server.enqueue(fault, fault);
    expect(await failure(clientOf(server, { credential: renewed.credential }).getBudget(TENANT))).toBeInstanceOf(
      AuthenticationError,
    );
    expect(authorizations()).toEqual(['Bearer old', 'Bearer new']); // at most once per call
  });

  it('fails with AuthenticationError when the credential answers null or throws, the cause kept', async () => {
    const nothing = scriptedCredential(null);
    expect(await failure(clientOf(server, { credential: nothing.credential }).getBudget(TENANT))).toBeInstanceOf(
      AuthenticationError,
    );
    const broken: TokenCredential = { getToken: async () => Promise.reject(new Error('AADSTS700016: no such app')) };
    const error = await failure(clientOf(server, { credential: broken }).getBudget(TENANT));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toContain('AADSTS700016');
    expect(server.requests).toHaveLength(0);
  });
});

describe('an App+User token without MFA', () => {
  it.each([
    [401, { code: 900421, description: 'Unauthorized' }],
    [403, { code: 'Forbidden', description: 'Multi-factor authentication is required for this operation' }],
  ])('is a MfaRequiredError (an AuthenticationError) that says what to do (%i)', async (status, fault) => {
    server.enqueue({ status, json: fault }, { status, json: fault });
    const error = await failure(clientOf(server, { maxRetries: 0 }).getCustomerUsageSummary(TENANT));
    expect(error).toBeInstanceOf(MfaRequiredError);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.name).toBe('MfaRequiredError');
    expect(error.status).toBe(status);
    expect(error.message).toMatch(/sign the user in again with MFA/);
    expect(error.message).toContain('https://learn.microsoft.com/partner-center/security/');
  });

  it('leaves other 401s an AuthenticationError', async () => {
    server.enqueue({ status: 401, json: { code: 800001, description: 'Partner Token missing in request context' } });
    const error = await failure(clientOf(server).getBudget(TENANT));
    expect(error).not.toBeInstanceOf(MfaRequiredError);
  });
});
