// @azure/identity's own ClientSecretCredential, pointed at a token authority on loopback over
// HTTPS (its CA given to Node as NODE_EXTRA_CA_CERTS, in a process of its own), signs the client
// in: the authority sees the scope of the operation's token kind, the API the token it issued.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { budget, TENANT, useFaultServer } from './support/fault-server.js';
import { startTlsServer, type TlsServer } from './support/tls-server.js';

const server = useFaultServer();
const PARTNER_TENANT = '11111111-2222-4333-8444-555555555555';
let authority: TlsServer;
let authorityURL: string;
let folder: string;
const tokenRequests: URLSearchParams[] = [];

beforeAll(async () => {
  authority = await startTlsServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const base = `${authorityURL}/${PARTNER_TENANT}`;
      response.setHeader('content-type', 'application/json');
      if (request.url?.includes('openid-configuration')) {
        response.end(
          JSON.stringify({
            issuer: `${base}/v2.0`,
            authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
            token_endpoint: `${base}/oauth2/v2.0/token`,
            end_session_endpoint: `${base}/oauth2/v2.0/logout`,
            jwks_uri: `${base}/discovery/v2.0/keys`,
          }),
        );
      } else if (request.url?.split('?')[0]?.endsWith('/oauth2/v2.0/token')) {
        tokenRequests.push(new URLSearchParams(Buffer.concat(chunks).toString()));
        response.end(
          JSON.stringify({
            token_type: 'Bearer',
            expires_in: 3600,
            ext_expires_in: 3600,
            access_token: `issued-${tokenRequests.length}`,
          }),
        );
      } else {
        response.statusCode = 404;
        response.end('{}');
      }
    });
  });
  authorityURL = authority.url;
  folder = authority.folder;
});

afterAll(() => authority.close());

it("signs in with @azure/identity's ClientSecretCredential against a loopback authority, one token for two calls", async () => {
  const identity = pathToFileURL(createRequire(import.meta.url).resolve('@azure/identity')).href;
  const client = pathToFileURL(join(import.meta.dirname, '..', 'dist', 'index.js')).href;
  writeFileSync(
    join(folder, 'sign-in.mjs'),
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
  const { stdout } = await promisify(execFile)(process.execPath, [join(folder, 'sign-in.mjs')], {
    env: {
      AZURE_LOG_LEVEL: process.env.AZURE_LOG_LEVEL ?? '',
      PATH: process.env.PATH ?? '',
      NODE_EXTRA_CA_CERTS: authority.caFile,
      AUTHORITY: authorityURL,
      API_URL: server.url,
    },
    timeout: 60_000,
  });
  expect(JSON.parse(stdout)).toEqual([8, 9]);
  expect(tokenRequests).toHaveLength(1);
  expect(tokenRequests[0]?.get('grant_type')).toBe('client_credentials');
  expect(tokenRequests[0]?.get('scope')).toBe('https://api.partnercenter.microsoft.com/.default');
  expect(tokenRequests[0]?.get('client_secret')).toBe('app-secret');
  expect(server.requests.map((request) => request.headers.authorization)).toEqual([
    'Bearer issued-1',
    'Bearer issued-1',
  ]);
});
