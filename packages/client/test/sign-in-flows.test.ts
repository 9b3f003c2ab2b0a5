// Real sign-in flows end to end, each through real processes: the test authority (an Entra ID
// stand-in on loopback over HTTPS), the reference server's bin verifying its JWTs
// (`--token-issuer`), and the SDK signed in by @azure/identity's own credentials in a child
// process that trusts the authority's CA (NODE_EXTRA_CA_CERTS, read at start only). Each case
// checks what the SDK threw and what the authority was asked.
import { randomUUID } from 'node:crypto';
import {
  randomPartner,
  type ServerProcess,
  startServerProcess,
  startTestAuthority,
  type TestAuthority,
} from '@usagebudget/server/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runScript, scriptImports, writeScript } from './support/identity-script.js';

// No string token: every call the server lets in was made with a JWT it verified.
const partner = { ...randomPartner('Contoso'), tokens: [] };
const customer = partner.customers[0] as string;
const tenantId = partner.id;
const otherTenant = randomUUID();
let authority: TestAuthority;
let server: ServerProcess;
let script: string;

/** What the child reports: each call's outcome, and the device code prompts it was shown. */
interface Outcome {
  readonly results: { ok: boolean; name?: string; message?: string; status?: number; code?: number | string }[];
  readonly prompts: string[];
}

/** The child: builds the credential the plan names, makes its calls in order, prints an `Outcome`. */
const CHILD = (identity: string, client: string) => `
const { ClientSecretCredential, DeviceCodeCredential } = await import(${JSON.stringify(identity)});
const { UsageBudgetClient } = await import(${JSON.stringify(client)});
const plan = JSON.parse(process.env.PLAN);
const options = { authorityHost: process.env.AUTHORITY, disableInstanceDiscovery: true };
const prompts = [];
const credential = plan.secret
  ? new ClientSecretCredential(plan.tenantId, plan.clientId, plan.secret, options)
  : new DeviceCodeCredential({ tenantId: plan.tenantId, clientId: plan.clientId, ...options,
      userPromptCallback: (info) => { prompts.push(info.message); } });
// A token provider of the app's .default token: how a caller hands the SDK an app-only token for any operation.
const given = plan.appOnlyProvider
  ? async () => (await credential.getToken('https://api.partnercenter.microsoft.com/.default')).token
  : credential;
const usage = new UsageBudgetClient({ baseURL: process.env.API_URL, credential: given, maxRetries: 0 });
const results = [];
for (const operation of plan.calls) {
  try {
    await usage[operation](${JSON.stringify(customer)});
    results.push({ ok: true });
  } catch (error) {
    results.push({ ok: false, name: error.constructor.name, message: error.message, status: error.status, code: error.code });
  }
}
console.log(JSON.stringify({ results, prompts }));
`;

interface Plan {
  readonly tenantId: string;
  readonly clientId: string;
  readonly secret?: string;
  readonly appOnlyProvider?: boolean;
  readonly calls: readonly ('getBudget' | 'getCustomerUsageSummary')[];
}

async function run(plan: Plan): Promise<Outcome> {
  return JSON.parse(await runScript(script, authority, { API_URL: server.url, PLAN: JSON.stringify(plan) })) as Outcome;
}

beforeAll(async () => {
  authority = await startTestAuthority();
  authority.addApp({ tenantId, clientId: 'app', clientSecret: 'app-secret' });
  authority.addApp({ tenantId: otherTenant, clientId: 'other-app', clientSecret: 'other-secret' });
  authority.addUser({ tenantId, clientId: 'public-mfa', username: 'ada@contoso.test', mfa: true });
  authority.addUser({ tenantId, clientId: 'public-no-mfa', username: 'bob@contoso.test', mfa: false });
  // Every tenant's tokens (Entra's multi-tenant issuer), so a token of another tenant is verified and then refused by its tid.
  server = await startServerProcess({
    config: { partners: [partner] },
    db: ':memory:',
    authority,
    args: ['--no-access-log'],
  });
  script = writeScript(authority, 'flow', CHILD(scriptImports.identity, scriptImports.client));
});

afterAll(async () => {
  await server?.stop();
  await authority?.stop();
});

let seen = 0;
beforeEach(() => {
  seen = authority.requests.length;
  authority.tokenLifetimeSeconds = 3600;
  authority.nextLifetimes.length = 0;
  authority.signWithUnknownKey = false;
});
/** The token requests of the current test. */
const tokenRequests = () =>
  authority.requests.slice(seen).filter((request) => request.endpoint === 'token' && request.status === 200);

describe('app-only (ClientSecretCredential)', () => {
  it('gets one token and makes two calls with it, the server verifying the JWT as the partner of its tenant', async () => {
    const outcome = await run({ tenantId, clientId: 'app', secret: 'app-secret', calls: ['getBudget', 'getBudget'] });
    expect(outcome.results).toEqual([{ ok: true }, { ok: true }]);
    expect(tokenRequests().map(({ grantType, scope }) => [grantType, scope])).toEqual([
      ['client_credentials', 'https://api.partnercenter.microsoft.com/.default'],
    ]);
  });

  it('refreshes an expired token once: one more token request, and the call succeeds', async () => {
    authority.nextLifetimes.push(-300);
    const outcome = await run({ tenantId, clientId: 'app', secret: 'app-secret', calls: ['getBudget', 'getBudget'] });
    expect(outcome.results).toEqual([{ ok: true }, { ok: true }]);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('fails with an AuthenticationError after one refresh when every token is expired (no loop)', async () => {
    authority.tokenLifetimeSeconds = -300;
    const outcome = await run({ tenantId, clientId: 'app', secret: 'app-secret', calls: ['getBudget'] });
    expect(outcome.results).toEqual([
      expect.objectContaining({ ok: false, name: 'AuthenticationError', status: 401, code: 800001 }),
    ]);
    expect(outcome.results[0]?.message).toMatch(/it expired at/);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('an app-only token on an App+User operation is the 403 TokenKindNotAccepted (PermissionDeniedError)', async () => {
    const outcome = await run({
      tenantId,
      clientId: 'app',
      secret: 'app-secret',
      appOnlyProvider: true,
      calls: ['getCustomerUsageSummary'],
    });
    expect(outcome.results).toEqual([
      expect.objectContaining({ ok: false, name: 'PermissionDeniedError', status: 403, code: 'TokenKindNotAccepted' }),
    ]);
  });

  it('the credential itself, asked by the SDK for the App+User scope, is refused by the authority as Entra ID refuses it', async () => {
    const outcome = await run({ tenantId, clientId: 'app', secret: 'app-secret', calls: ['getCustomerUsageSummary'] });
    expect(outcome.results).toEqual([expect.objectContaining({ ok: false, name: 'AuthenticationError' })]);
    expect(outcome.results[0]?.message).toMatch(/credential provider failed: .*AADSTS1002012/);
    expect(authority.requests.slice(seen).at(-1)?.scope).toBe(
      'https://api.partnercenter.microsoft.com/user_impersonation',
    );
  });

  it('a token of a tenant that is no partner of the server is a 401 naming that tenant', async () => {
    const outcome = await run({
      tenantId: otherTenant,
      clientId: 'other-app',
      secret: 'other-secret',
      calls: ['getBudget'],
    });
    expect(outcome.results).toEqual([expect.objectContaining({ ok: false, name: 'AuthenticationError', status: 401 })]);
    expect(outcome.results[0]?.message).toContain(`tid ${otherTenant}) is not a partner`);
    // The SDK asked once more after the 401, and the credential's cached token was the same: no loop.
    expect(tokenRequests()).toHaveLength(1);
  });

  it('a token signed by a key the issuer does not publish is a 401 that says so, without the token', async () => {
    authority.signWithUnknownKey = true;
    const outcome = await run({ tenantId, clientId: 'app', secret: 'app-secret', calls: ['getBudget'] });
    expect(outcome.results).toEqual([expect.objectContaining({ ok: false, name: 'AuthenticationError', status: 401 })]);
    expect(outcome.results[0]?.message).toMatch(/signed by a key the issuer does not publish/);
    expect(outcome.results[0]?.message).not.toMatch(/eyJ/);
  });
});

describe('App+User (DeviceCodeCredential)', () => {
  it('with MFA: the device code prompt, then App+User calls succeed with one sign-in', async () => {
    const outcome = await run({ tenantId, clientId: 'public-mfa', calls: ['getCustomerUsageSummary', 'getBudget'] });
    expect(outcome.results).toEqual([{ ok: true }, { ok: true }]);
    expect(outcome.prompts).toEqual([expect.stringMatching(/enter the code [0-9A-F]{8} to authenticate/)]);
    // One sign-in: getBudget takes app-only tokens too, so the SDK asks for `.default`, which MSAL
    // gets silently with the refresh token of the sign-in.
    const scopes = tokenRequests().map(({ grantType, scope }) => [grantType, scope?.split(' ')[0]]);
    expect(scopes).toEqual([
      ['device_code', 'https://api.partnercenter.microsoft.com/user_impersonation'],
      ['refresh_token', 'https://api.partnercenter.microsoft.com/.default'],
    ]);
  });

  it('without MFA: an MfaRequiredError that says to sign in again with MFA, and no second sign-in', async () => {
    const outcome = await run({ tenantId, clientId: 'public-no-mfa', calls: ['getCustomerUsageSummary'] });
    expect(outcome.results).toEqual([
      expect.objectContaining({ ok: false, name: 'MfaRequiredError', status: 401, code: 900421 }),
    ]);
    expect(outcome.results[0]?.message).toMatch(/sign the user in again with MFA/);
    expect(tokenRequests().map(({ grantType }) => grantType)).toEqual(['device_code']);
  });
});
