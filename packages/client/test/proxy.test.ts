// The proxy in Node, through a real proxy process on loopback: an `https` API through a `CONNECT`
// tunnel (a client process with the API's own CA given to Node as NODE_EXTRA_CA_CERTS, as a
// partner behind a corporate proxy runs it), an `http` one by absolute URI, `NO_PROXY`, the
// `proxy` option, and the proxy's credentials kept out of every log line and error.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { startProxy, startTlsServer, type TestProxy, type TlsServer } from '@usagebudget/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOf } from './support/client-of.js';
import { budget, TENANT, useFaultServer } from './support/fault-server.js';

const run = promisify(execFile);
const TOKEN = 'SECRET-TOKEN-5d1f0c';
const PROXY_PASSWORD = 'proxy-pass-9b3e';
const DIST = pathToFileURL(join(import.meta.dirname, '..', 'dist', 'index.js')).href;

let api: TlsServer;
let apiURL: string;
let folder: string;
const userAgents: (string | undefined)[] = [];

beforeAll(async () => {
  api = await startTlsServer((request, response) => {
    userAgents.push(request.headers['user-agent']);
    response.writeHead(200, {
      'content-type': 'application/json',
      'ms-requestid': String(request.headers['ms-requestid']),
    });
    response.end(JSON.stringify(budget(12)));
  });
  apiURL = api.url;
  folder = api.folder;
  writeFileSync(
    join(folder, 'client.mjs'),
    `import { UsageBudgetClient } from ${JSON.stringify(DIST)};
const client = new UsageBudgetClient({ baseURL: process.env.API_URL, credential: ${JSON.stringify(TOKEN)}, maxRetries: 0, ...JSON.parse(process.env.CLIENT_OPTIONS ?? '{}') });
const out = [];
for (let i = 0; i < 2; i++) {
  try { out.push((await client.getBudget(${JSON.stringify(TENANT)})).amount); }
  catch (error) { out.push(error.name + ': ' + error.message); }
}
console.log(JSON.stringify(out));
`,
  );
});

afterAll(() => api.close());

/** Runs the client's process (two calls) with `env` besides the API's CA; its outcomes, stderr. */
async function clientProcess(env: Record<string, string>, options: object = {}) {
  const { stdout, stderr } = await run(process.execPath, [join(folder, 'client.mjs')], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_EXTRA_CA_CERTS: api.caFile,
      API_URL: apiURL,
      USAGEBUDGET_LOG: 'debug',
      CLIENT_OPTIONS: JSON.stringify(options),
      ...env,
    },
    timeout: 60_000,
  });
  return { outcomes: JSON.parse(stdout) as unknown[], stderr };
}

describe('an https API behind HTTPS_PROXY', () => {
  let proxy: TestProxy;
  beforeAll(async () => {
    proxy = await startProxy(`user:${PROXY_PASSWORD}`);
  });
  afterAll(() => proxy.close());

  it('goes through one CONNECT tunnel for two calls, with the proxy credentials, none of it logged', async () => {
    const { outcomes, stderr } = await clientProcess({ HTTPS_PROXY: proxy.url });
    expect(outcomes).toEqual([12, 12]);
    expect(proxy.tunnels).toEqual([apiURL.replace('https://', '')]);
    expect(proxy.authorizations).toEqual([`Basic ${Buffer.from(`user:${PROXY_PASSWORD}`).toString('base64')}`]);
    expect(stderr).toMatch(
      /getUsageBudget \S+ attempt 1: 200 in \d+ ms \(MS-RequestId [0-9a-f-]{36}, MS-CorrelationId [0-9a-f-]{36}\)/,
    );
    for (const secret of [PROXY_PASSWORD, TOKEN, 'Basic ']) expect(stderr).not.toContain(secret);
  });

  it('sends a User-Agent naming the SDK, its version and Node', () => {
    expect(userAgents.at(-1)).toMatch(/^usagebudget-sdk\/\d+\.\d+\.\d+\S* Node\.js\/20\.\d+\.\d+ \(\w+; \w+\)$/);
  });

  it('goes direct for a host NO_PROXY names, and with proxy: false', async () => {
    const before = proxy.tunnels.length;
    expect((await clientProcess({ HTTPS_PROXY: proxy.url, NO_PROXY: 'example.com,localhost' })).outcomes).toEqual([
      12, 12,
    ]);
    expect((await clientProcess({ https_proxy: proxy.url }, { proxy: false })).outcomes).toEqual([12, 12]);
    expect(proxy.tunnels.length).toBe(before);
  });

  it('keeps the proxy password out of the error and the log when the proxy refuses', async () => {
    const wrong = proxy.url.replace(PROXY_PASSWORD, `${PROXY_PASSWORD}-wrong`);
    const { outcomes, stderr } = await clientProcess({}, { proxy: wrong });
    // The proxy's own 407, as the response: the client names the status, not the proxy's URL.
    expect(String(outcomes[0])).toMatch(/^PartnerCenterError: 407 /);
    for (const text of [String(outcomes[0]), String(outcomes[1]), stderr]) expect(text).not.toContain(PROXY_PASSWORD);
  });
});

describe('an http API behind a proxy', () => {
  const server = useFaultServer();

  it('is forwarded by absolute URI through the proxy option, no tunnel', async () => {
    const proxy = await startProxy();
    try {
      server.enqueue({ status: 200, json: budget(5) });
      await expect(clientOf(server, { proxy: proxy.url }).getBudget(TENANT)).resolves.toMatchObject({ amount: 5 });
      expect(proxy.forwarded).toEqual([`${server.url}/v1/customers/${TENANT}/usagebudget`]);
      expect(proxy.tunnels).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
