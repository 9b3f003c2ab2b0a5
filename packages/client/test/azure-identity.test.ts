// @azure/identity's own ClientSecretCredential, pointed at a token authority on loopback over
// HTTPS (its CA given to Node as NODE_EXTRA_CA_CERTS, in a process of its own), signs the client
// in: the authority sees the scope of the operation's token kind, the API the token it issued.
import { startTestAuthority, type TestAuthority } from '@usagebudget/server/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { budget, TENANT, useFaultServer } from './support/fault-server.js';
import { runScript, scriptImports, writeScript } from './support/identity-script.js';

const server = useFaultServer();
const PARTNER_TENANT = '11111111-2222-4333-8444-555555555555';
let authority: TestAuthority;

beforeAll(async () => {
  authority = await startTestAuthority();
  authority.addApp({ tenantId: PARTNER_TENANT, clientId: 'app-id', clientSecret: 'app-secret' });
});

afterAll(() => authority.stop());

it("signs in with @azure/identity's ClientSecretCredential against a loopback authority, one token for two calls", async () => {
  const { identity, client } = scriptImports;
  const script = writeScript(
    authority,
    'sign-in',
    `const { ClientSecretCredential } = await import(${JSON.stringify(identity)});
import { UsageBudgetClient } from ${JSON.stringify(client)};
const credential = new ClientSecretCredential(${JSON.stringify(PARTNER_TENANT)}, 'app-id', 'app-secret', {
  authorityHost: process.env.AUTHORITY, disableInstanceDiscovery: true,
});
const usage = new UsageBudgetClient({ baseURL: process.env.API_URL, credential, maxRetries: 0 });
const amounts = [];
for (let i = 0; i < 2; i++) amounts.push((await usage.getBudget(${JSON.stringify(TENANT)})).amount);
console.log(JSON.stringify(amounts));
`,
  );
  server.enqueue({ status: 200, json: budget(8) }, { status: 200, json: budget(9) });
  const stdout = await runScript(script, authority, { API_URL: server.url });
  expect(JSON.parse(stdout)).toEqual([8, 9]);
  const tokenRequests = authority.tokenRequests();
  expect(tokenRequests).toHaveLength(1);
  expect(tokenRequests[0]?.grantType).toBe('client_credentials');
  expect(tokenRequests[0]?.scope).toBe('https://api.partnercenter.microsoft.com/.default');
  expect(tokenRequests[0]?.form.get('client_secret')).toBe('app-secret');
  const [first, second] = server.requests.map((request) => request.headers.authorization);
  expect(first).toMatch(/^Bearer eyJ/);
  expect(second).toBe(first);
});
