// Issue 25's CLI without an authority: the command line's rules for --auth, whoami's reading of a
// token, --auth azure-cli through a stand-in `az` on PATH against the reference server, --proxy
// through a real proxy, USAGEBUDGET_LOG and --debug's lines, the client's spans with a preloaded
// tracer provider, the authority's choice, and the token cache's files. The flows through a test
// authority are in sign-in-flows.test.ts.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { demoPartner, type ServerProcess, startProxy, startServerProcess } from '@usagebudget/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFolder } from '../src/sign-in/config-folder.js';
import { authority } from '../src/sign-in/credential.js';
import { filePlugin, forgetAccount } from '../src/sign-in/token-cache.js';
import { usagebudget } from './support/run.js';

const CUSTOMER = demoPartner.customers[0];
const TENANT = '4c8a2d1e-5b7f-4e39-9a06-2f1d3c4b5a69';
let server: ServerProcess;
let folder: string;

beforeAll(async () => {
  server = await startServerProcess({ args: ['--no-access-log'] });
  folder = mkdtempSync(join(tmpdir(), 'usagebudget-sign-in-'));
});

afterAll(async () => {
  await server?.stop();
  rmSync(folder, { recursive: true, force: true });
});

/** A JWT of these claims with a signature part that must never be shown. */
function jwt(claims: Record<string, unknown>, signature = 'SIGNATURE-never-shown'): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.${signature}`;
}

/** A stand-in `az` on PATH that logs its arguments and prints what `az account get-access-token` prints. */
function fakeAz(accessToken: string): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  const bin = mkdtempSync(join(folder, 'az-'));
  const log = join(bin, 'calls.log');
  const answer = {
    accessToken,
    expiresOn: '2100-01-01 00:00:00.000000',
    expires_on: 4_102_444_800,
    tenant: TENANT,
    tokenType: 'Bearer',
  };
  writeFileSync(join(bin, 'answer.json'), JSON.stringify(answer));
  writeFileSync(join(bin, 'az'), `#!/bin/sh\necho "$*" >> '${log}'\ncat '${join(bin, 'answer.json')}'\n`);
  chmodSync(join(bin, 'az'), 0o755);
  const calls = () => readFileSync(log, 'utf8').trim().split('\n');
  return { env: { PATH: `${bin}:${process.env.PATH}` }, calls };
}

describe('--auth on the command line', () => {
  it.each([
    [['--auth', 'device-code', '--token', 'x'], '--auth and --token both say where the token comes from'],
    [['--auth', 'azure-cli', '--token-command', 'echo x'], '--auth and --token-command both say'],
    [['--auth', 'password'], '--auth must be one of azure-cli, device-code, environment (got "password")'],
    [['--tenant', 'contoso.onmicrosoft.com'], '--tenant is an option of --auth device-code'],
    [['--auth', 'environment', '--client-id', 'x'], '--auth environment reads the tenant and the app'],
    [['--auth', 'azure-cli', '--client-id', 'x'], '--client-id is for --auth device-code'],
    [
      ['--auth', 'device-code', '--client-id', 'app'],
      '--auth device-code needs the tenant: --tenant or AZURE_TENANT_ID',
    ],
    [['--auth', 'device-code', '--tenant', 'x'], "needs the app's client ID: --client-id or AZURE_CLIENT_ID"],
    [
      ['--auth', 'environment'],
      'needs AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH',
    ],
  ])('%j is a usage error (exit 2) that sends nothing', async (args, message) => {
    const run = await usagebudget(['get', CUSTOMER, '--base-url', 'http://127.0.0.1:9', ...args], {
      PARTNER_CENTER_TOKEN: demoPartner.token,
    });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
  });

  it('a --proxy that is not a URL is refused without repeating it (it may hold a password)', async () => {
    const run = await usagebudget(['get', CUSTOMER, '--proxy', 'http://user:pass-7f3a@proxy host:8080'], {
      PARTNER_CENTER_TOKEN: demoPartner.token,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--proxy is not a URL');
    expect(run.stderr).not.toContain('pass-7f3a');
  });
});

describe('whoami', () => {
  const user = jwt({
    tid: TENANT,
    scp: 'user_impersonation',
    amr: ['pwd', 'mfa'],
    upn: 'ann@contoso.example',
    name: 'Ann Admin',
    azp: '9a0b1c2d-0000-4000-8000-000000000001',
    aud: 'https://api.partnercenter.microsoft.com',
    exp: 4_102_444_800,
  });

  it('shows the tenant, the kind, MFA, the user and the expiry of an app+user token, never the token', async () => {
    const run = await usagebudget(['whoami', '--token', user]);
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(new RegExp(`^Tenant +${TENANT}$`, 'm'));
    expect(run.stdout).toMatch(/^Kind +app\+user \(delegated\)$/m);
    expect(run.stdout).toMatch(/^MFA +yes$/m);
    expect(run.stdout).toMatch(/^User +ann@contoso\.example {2}Ann Admin$/m);
    expect(run.stdout).toMatch(/^Expires +2100-01-01T00:00:00\.000Z$/m);
    for (const part of user.split('.')) expect(run.stdout + run.stderr).not.toContain(part);
  });

  it('--json: one line; an app-only token (roles) and a token without MFA say so', async () => {
    const appOnly = jwt({ tid: TENANT, roles: ['Partner.Read'], azp: 'app-2', exp: 4_102_444_800 });
    const noMfa = jwt({ tid: TENANT, scp: 'user_impersonation', amr: ['pwd'], upn: 'bob@contoso.example' });
    const [app, bob] = await Promise.all([
      usagebudget(['whoami', '--json', '--token', appOnly]),
      usagebudget(['whoami', '--json'], { PARTNER_CENTER_TOKEN: noMfa }),
    ]);
    expect(JSON.parse(app.stdout)).toMatchObject({
      tokenFrom: '--token',
      kind: 'app-only',
      mfa: null,
      roles: ['Partner.Read'],
    });
    expect(JSON.parse(bob.stdout)).toMatchObject({ tokenFrom: 'PARTNER_CENTER_TOKEN', kind: 'app+user', mfa: false });
    const table = await usagebudget(['whoami', '--token', noMfa]);
    expect(table.stdout).toMatch(/^MFA +no: sign in again with MFA$/m);
  });

  it('reports a token that is not a JWT as opaque, exit 0', async () => {
    const run = await usagebudget(['whoami', '--json'], { PARTNER_CENTER_TOKEN: demoPartner.token });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ format: 'opaque', tenantId: null, kind: null });
    expect(run.stdout).not.toContain(demoPartner.token);
  });
});

describe('loading @azure/identity', () => {
  /** The modules a run of the CLI loads, as Node's module hooks see them resolved. */
  async function loadedModules(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
    const hooks = mkdtempSync(join(folder, 'hooks-'));
    const log = join(hooks, 'loaded.log');
    writeFileSync(
      join(hooks, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, resolved.url + '\\n');
  return resolved;
}`,
    );
    writeFileSync(
      join(hooks, 'register.mjs'),
      `import { register } from 'node:module';\nregister(${JSON.stringify(`file://${join(hooks, 'hooks.mjs')}`)});\n`,
    );
    const run = await usagebudget(args, { ...env, NODE_OPTIONS: `--import ${join(hooks, 'register.mjs')}` });
    expect(run.code, run.stderr).toBe(0);
    return readFileSync(log, 'utf8');
  }

  it('a run with a token never loads it; a run with --auth does', async () => {
    const token = await loadedModules(['get', CUSTOMER, '--base-url', server.url], {
      PARTNER_CENTER_TOKEN: demoPartner.token,
    });
    expect(token).toContain('/dist/commands/get.js');
    expect(token).not.toContain('@azure');
    const az = await loadedModules(['whoami', '--auth', 'azure-cli'], fakeAz(demoPartner.token).env);
    expect(az).toContain('@azure/identity');
  });
});

describe('--auth azure-cli', () => {
  it("calls the service with the Azure CLI's token, asked for Partner Center's resource, even for an app+user operation", async () => {
    const az = fakeAz(demoPartner.token);
    const base = ['--base-url', server.url, '--auth', 'azure-cli'];
    const got = await usagebudget(['get', CUSTOMER, ...base], az.env);
    expect(got, got.stderr).toMatchObject({ code: 0 });
    expect(got.stdout).toContain(CUSTOMER);
    const usage = await usagebudget(['usage', CUSTOMER, '--json', ...base, '--tenant', TENANT], az.env);
    expect(usage.code, usage.stderr).toBe(0);
    expect(az.calls()).toEqual([
      'account get-access-token --output json --resource https://api.partnercenter.microsoft.com',
      `account get-access-token --output json --resource https://api.partnercenter.microsoft.com --tenant ${TENANT}`,
    ]);
  });

  it('whoami --auth azure-cli reads the claims of the token az gave', async () => {
    const az = fakeAz(jwt({ tid: TENANT, scp: 'user_impersonation', amr: ['mfa'], upn: 'ann@contoso.example' }));
    const run = await usagebudget(['whoami', '--json', '--auth', 'azure-cli'], az.env);
    expect(JSON.parse(run.stdout)).toMatchObject({ tokenFrom: '--auth azure-cli', kind: 'app+user', mfa: true });
  });

  it('without az, exit 4 and what to do', async () => {
    const empty = mkdtempSync(join(folder, 'no-az-'));
    const run = await usagebudget(['get', CUSTOMER, '--base-url', server.url, '--auth', 'azure-cli'], {
      PATH: `${empty}:/usr/bin:/bin`.replace(/:\/usr\/bin:\/bin$/, ''),
    });
    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).toContain('Azure CLI could not be found');
  });
});

describe('--proxy', () => {
  it("sends every request through the proxy, its password in no line of --debug's", async () => {
    const proxy = await startProxy('proxy-user:proxy-pass-4c1e');
    try {
      const run = await usagebudget(['get', CUSTOMER, '--base-url', server.url, '--proxy', proxy.url, '--debug'], {
        PARTNER_CENTER_TOKEN: demoPartner.token,
      });
      expect(run.code, run.stderr).toBe(0);
      expect(proxy.forwarded).toEqual([`${server.url}/v1/customers/${CUSTOMER}/usagebudget`]);
      expect(run.stderr).toContain(`through the proxy http://127.0.0.1:${new URL(proxy.url).port}`);
      expect(run.stdout + run.stderr).not.toContain('proxy-pass-4c1e');
      const refused = await usagebudget(
        [
          'get',
          CUSTOMER,
          '--base-url',
          server.url,
          '--proxy',
          proxy.url.replace('proxy-pass-4c1e', 'wrong-9d2a'),
          '--debug',
        ],
        { PARTNER_CENTER_TOKEN: demoPartner.token },
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('407');
      expect(refused.stdout + refused.stderr).not.toContain('wrong-9d2a');
    } finally {
      await proxy.close();
    }
  });
});

describe('logs', () => {
  it('USAGEBUDGET_LOG=info: a line per attempt on stderr, stdout still only JSON; --debug has it too', async () => {
    const env = { PARTNER_CENTER_TOKEN: demoPartner.token, USAGEBUDGET_LOG: 'info' };
    const run = await usagebudget(['get', CUSTOMER, '--json', '--base-url', server.url], env);
    expect(run.code, run.stderr).toBe(0);
    const { requestId } = JSON.parse(run.stdout) as { requestId: string };
    const attempt = new RegExp(
      `^usagebudget: getUsageBudget ${CUSTOMER} attempt 1: 200 in \\d+ ms \\(MS-RequestId ${requestId}, `,
      'm',
    );
    expect(run.stderr).toMatch(attempt);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toContain(demoPartner.token);
    const debug = await usagebudget(['get', CUSTOMER, '--debug', '--base-url', server.url], {
      PARTNER_CENTER_TOKEN: demoPartner.token,
    });
    expect(debug.stderr).toMatch(new RegExp(`^usagebudget: getUsageBudget ${CUSTOMER} attempt 1: 200 in \\d+ ms`, 'm'));
  });
});

describe('traces', () => {
  it("records the client's span of a call when the user preloads a tracer provider (NODE_OPTIONS=--import)", async () => {
    // Resolved as the client resolves them: the CLI has no OpenTelemetry of its own.
    const fromClient = createRequire(createRequire(import.meta.url).resolve('@usagebudget/client'));
    const api = pathToFileURL(fromClient.resolve('@opentelemetry/api')).href;
    const sdk = pathToFileURL(fromClient.resolve('@opentelemetry/sdk-trace-base')).href;
    const setup = join(mkdtempSync(join(folder, 'otel-')), 'otel-setup.mjs');
    const spans = `${setup}.spans`;
    writeFileSync(
      setup,
      `import { appendFileSync } from 'node:fs';
import { trace } from ${JSON.stringify(api)};
import { BasicTracerProvider, SimpleSpanProcessor } from ${JSON.stringify(sdk)};
const exporter = {
  export(list, done) {
    for (const span of list) appendFileSync(${JSON.stringify(spans)}, JSON.stringify({ name: span.name, attributes: span.attributes }) + '\\n');
    done({ code: 0 });
  },
  shutdown: async () => {},
};
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
`,
    );
    const run = await usagebudget(['get', CUSTOMER, '--json', '--base-url', server.url], {
      PARTNER_CENTER_TOKEN: demoPartner.token,
      NODE_OPTIONS: `--import ${setup}`,
    });
    expect(run.code, run.stderr).toBe(0);
    const { requestId } = JSON.parse(run.stdout) as { requestId: string };
    const recorded = readFileSync(spans, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(recorded).toEqual([
      expect.objectContaining({
        name: 'getUsageBudget',
        attributes: expect.objectContaining({
          'partnercenter.request_id': requestId,
          'http.response.status_code': 200,
        }),
      }),
    ]);
  });
});

describe('the authority', () => {
  it("is AZURE_AUTHORITY_HOST, else the --cloud's, else the global cloud's; instance discovery only for Microsoft's", () => {
    expect(authority({ endpoint: { cloud: 'usgov' }, env: {} })).toEqual({
      authorityHost: 'https://login.microsoftonline.us',
    });
    expect(authority({ endpoint: { cloud: 'china' }, env: {} })).toEqual({
      authorityHost: 'https://login.chinacloudapi.cn',
    });
    expect(authority({ endpoint: { baseURL: 'http://127.0.0.1:4020' }, env: {} })).toEqual({
      authorityHost: 'https://login.microsoftonline.com',
    });
    expect(
      authority({ endpoint: { cloud: 'usgov' }, env: { AZURE_AUTHORITY_HOST: 'https://localhost:8443/' } }),
    ).toEqual({
      authorityHost: 'https://localhost:8443',
      disableInstanceDiscovery: true,
    });
  });
});

describe('the token cache', () => {
  it('is the XDG config folder: $XDG_CONFIG_HOME/usagebudget, else ~/.config/usagebudget', () => {
    expect(configFolder({ XDG_CONFIG_HOME: '/x/conf', HOME: '/home/ann' })).toBe('/x/conf/usagebudget');
    expect(configFolder({ XDG_CONFIG_HOME: 'relative', HOME: '/home/ann' })).toBe('/home/ann/.config/usagebudget');
    expect(configFolder({ HOME: '/home/ann' })).toBe('/home/ann/.config/usagebudget');
  });

  it('an unencrypted cache is a file of mode 0600 in a folder of mode 0700, even where they were wider', async () => {
    const config = join(folder, 'config', 'usagebudget');
    mkdirSync(config, { recursive: true, mode: 0o755 });
    chmodSync(config, 0o755);
    const file = join(config, 'token-cache.json');
    const plugin = filePlugin(file, config);
    const account = (id: string) => ({ home_account_id: id, username: `${id}@contoso.example` });
    const cache = { Account: { a: account('ann'), b: account('bob') }, RefreshToken: { a: account('ann') } };
    await plugin.afterCacheAccess({
      cacheHasChanged: true,
      tokenCache: { serialize: () => JSON.stringify(cache), deserialize: () => {} },
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(config).mode & 0o777).toBe(0o700);
    // Sign-out's removal of one account keeps the other's entries.
    expect(await forgetAccount(plugin, 'ann')).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ Account: { b: account('bob') }, RefreshToken: {} });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('USAGEBUDGET_TOKEN_CACHE=off keeps nothing; allow-unencrypted keeps an encrypted store or the file', async () => {
    // In a process of its own, as the CLI loads the optional package (or fails to, without keytar).
    const script = `import { openTokenCache } from ${JSON.stringify(new URL('../dist/sign-in/token-cache.js', import.meta.url).href)};
const stores = {};
for (const policy of ['off', 'allow-unencrypted', 'encrypted']) {
  const cache = await openTokenCache(policy, ${JSON.stringify(folder)});
  stores[policy] = [cache.store, cache.plugin !== undefined];
}
console.log(JSON.stringify(stores));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    const stores = JSON.parse(stdout) as Record<string, [string, boolean]>;
    expect(stores.off).toEqual(['memory', false]);
    expect([
      ['encrypted', true],
      ['file', true],
    ]).toContainEqual(stores['allow-unencrypted']);
    // Never the file without the user's consent.
    expect(stores.encrypted).toEqual(
      stores['allow-unencrypted']?.[0] === 'file' ? ['memory', false] : ['encrypted', true],
    );
  });
});
