// The CLI's sign-in through a real flow: the bin, with @azure/identity's own credentials pointed at a
// test authority on loopback over HTTPS (its CA given to the CLI's process as NODE_EXTRA_CA_CERTS,
// AZURE_AUTHORITY_HOST its URL): device code (the prompt on stderr, the sign-in kept between runs
// when allowed), client secret from the environment (app-only), whoami of both, sign-out.
// In this repository the encrypted store is never available (keytar is not built: see
// pnpm-workspace.yaml), so a sign-in is kept only in the unencrypted file the user allows.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  randomPartner,
  type ServerProcess,
  startProxy,
  startServerProcess,
  startTestAuthority,
  type TestAuthority,
} from '@usagebudget/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usagebudget } from './support/run.js';

// The partner is its tenant: the server takes the partner of a verified token from its tid.
const partner = randomPartner('Contoso');
const TENANT = partner.id;
const CUSTOMER = partner.customers[0] as string;
const PUBLIC_APP = '5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b';
// An app whose user signs in without a second factor.
const NO_MFA_APP = '6f7a8b9c-2d3e-4f5a-8b1c-2d3e4f5a6b7c';
const DAEMON = {
  tenantId: TENANT,
  clientId: '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d',
  clientSecret: 'daemon-secret-8e41',
};
let authority: TestAuthority;
let server: ServerProcess;
let home: string;

beforeAll(async () => {
  authority = await startTestAuthority();
  authority.addUser({ tenantId: TENANT, clientId: PUBLIC_APP, username: 'ann@contoso.example', mfa: true });
  authority.addUser({ tenantId: TENANT, clientId: NO_MFA_APP, username: 'bob@contoso.example', mfa: false });
  authority.addApp({ ...DAEMON, roles: ['Partner.ReadWrite.All'] });
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
  if (home) rmSync(home, { recursive: true, force: true });
});

/** The CLI's environment: trusting the authority, signing in at it, with a home and config folder of the test's. */
function signInEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  home ??= mkdtempSync(join(tmpdir(), 'usagebudget-flows-'));
  return {
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    NODE_EXTRA_CA_CERTS: authority.caFile,
    AZURE_AUTHORITY_HOST: authority.url,
    ...extra,
  };
}

const deviceCode = ['--auth', 'device-code', '--tenant', TENANT, '--client-id', PUBLIC_APP];
const devicecodeRequests = () => authority.requests.filter((request) => request.endpoint === 'devicecode').length;
// A JWT's header starts so: no token, nor any part of one, reaches stdout or stderr.
const JWT_START = /eyJ[\w-]{10,}/;

describe('--auth device-code', () => {
  it('prompts on stderr, signs in, and with the unencrypted cache allowed, signs in silently next time', async () => {
    const env = signInEnv({ USAGEBUDGET_TOKEN_CACHE: 'allow-unencrypted' });
    const before = devicecodeRequests();
    const first = await usagebudget(['whoami', '--json', ...deviceCode], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(
      /^To sign in, use a web browser to open the page https:\/\/localhost:\d+\/devicelogin and enter the code [0-9A-F]{8}/m,
    );
    expect(JSON.parse(first.stdout)).toMatchObject({
      tokenFrom: '--auth device-code',
      tenantId: TENANT,
      kind: 'app+user',
      mfa: true,
      user: 'ann@contoso.example',
    });
    expect(devicecodeRequests()).toBe(before + 1);
    expect(first.stdout + first.stderr).not.toMatch(JWT_START);
    // The record and the cache: the owner's only.
    const config = join(home, 'config', 'usagebudget');
    expect(statSync(config).mode & 0o777).toBe(0o700);
    for (const file of ['authentication-record.json', 'token-cache.json']) {
      expect(statSync(join(config, file)).mode & 0o777, file).toBe(0o600);
    }
    expect(readFileSync(join(config, 'authentication-record.json'), 'utf8')).toContain('ann@contoso.example');

    const second = await usagebudget(['whoami', ...deviceCode], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr, 'no prompt the second time').toBe('');
    expect(second.stdout).toMatch(/^MFA +yes$/m);
    expect(devicecodeRequests(), 'no new device code').toBe(before + 1);
  });

  it('an expired access token in the cache is renewed with the refresh token, without a new device code', async () => {
    const env = signInEnv({
      USAGEBUDGET_TOKEN_CACHE: 'allow-unencrypted',
      XDG_CONFIG_HOME: join(home ?? tmpdir(), 'config-renew'),
    });
    // Expired when issued: the sign-in's token, and the one its first run's call gets from the cache.
    authority.nextLifetimes.push(-60, -60);
    const first = await usagebudget(['whoami', '--json', ...deviceCode], env);
    expect(first.code, first.stderr).toBe(0);
    expect(authority.nextLifetimes).toEqual([]);
    const [codes, refreshes] = [devicecodeRequests(), authority.tokenRequests('refresh_token').length];
    const second = await usagebudget(['whoami', '--json', ...deviceCode], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toBe('');
    expect(Date.parse(JSON.parse(second.stdout).expiresOn)).toBeGreaterThan(Date.now());
    expect(authority.tokenRequests('refresh_token').length).toBe(refreshes + 1);
    expect(devicecodeRequests()).toBe(codes);
  });

  it('without an encrypted store or consent, says in one line that the sign-in lasts this run, and keeps nothing', async () => {
    const env = signInEnv({ XDG_CONFIG_HOME: join(home ?? tmpdir(), 'config-strict') });
    const before = devicecodeRequests();
    for (let run = 1; run <= 2; run++) {
      const result = await usagebudget(['whoami', '--json', ...deviceCode], env);
      expect(result.code, result.stderr).toBe(0);
      const notices = result.stderr
        .split('\n')
        .filter((line) => line.startsWith('usagebudget: this sign-in is kept for this run only'));
      expect(notices).toHaveLength(1);
      expect(notices[0]).toContain('USAGEBUDGET_TOKEN_CACHE=allow-unencrypted keeps it in');
      expect(devicecodeRequests()).toBe(before + run);
    }
    expect(() => statSync(join(home, 'config-strict', 'usagebudget', 'token-cache.json'))).toThrow();
  });

  it('sign-out forgets the sign-in: the record and the cache go, and the next run asks again', async () => {
    const env = signInEnv({
      USAGEBUDGET_TOKEN_CACHE: 'allow-unencrypted',
      XDG_CONFIG_HOME: join(home ?? tmpdir(), 'config-out'),
    });
    expect((await usagebudget(['whoami', ...deviceCode], env)).code).toBe(0);
    const out = await usagebudget(['sign-out', '--json'], env);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({
      command: 'sign-out',
      signedOut: true,
      user: 'ann@contoso.example',
      tenant: TENANT,
    });
    const config = join(home, 'config-out', 'usagebudget');
    expect(() => statSync(join(config, 'authentication-record.json'))).toThrow();
    expect(() => statSync(join(config, 'token-cache.json'))).toThrow();
    const before = devicecodeRequests();
    const again = await usagebudget(['whoami', ...deviceCode], env);
    expect(again.stderr).toContain('To sign in');
    expect(devicecodeRequests()).toBe(before + 1);
  });
});

describe('calls with a signed-in token, verified by the server', () => {
  it('device code: get and usage (app+user, with MFA) work', async () => {
    const env = signInEnv({ XDG_CONFIG_HOME: join(home ?? tmpdir(), 'config-calls') });
    const base = ['--base-url', server.url, ...deviceCode];
    const got = await usagebudget(['get', CUSTOMER, '--json', ...base], env);
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ command: 'get', customerTenantId: CUSTOMER });
    const usage = await usagebudget(['usage', CUSTOMER, '--json', ...base], env);
    expect(usage.code, usage.stderr).toBe(0);
    expect(JSON.parse(usage.stdout)).toMatchObject({ command: 'usage', customerId: CUSTOMER });
    expect(got.stdout + got.stderr + usage.stdout + usage.stderr).not.toMatch(JWT_START);
  });

  it("a user signed in without MFA: usage (app+user only) fails with the client's MfaRequiredError, exit 4", async () => {
    const env = signInEnv({ XDG_CONFIG_HOME: join(home ?? tmpdir(), 'config-no-mfa') });
    const args = ['--base-url', server.url, '--auth', 'device-code', '--tenant', TENANT, '--client-id', NO_MFA_APP];
    const who = await usagebudget(['whoami', '--json', ...args], env);
    expect(JSON.parse(who.stdout)).toMatchObject({ kind: 'app+user', mfa: false, user: 'bob@contoso.example' });
    const usage = await usagebudget(['usage', CUSTOMER, ...args], env);
    expect(usage.code, usage.stderr).toBe(4);
    expect(usage.stderr).toContain(
      'usagebudget: the token shows no sign-in with multi-factor authentication (MFA) (HTTP 401)',
    );
    expect(usage.stderr).toMatch(
      /^ {2}To do +sign the user in again with MFA: "usagebudget sign-out" then --auth device-code/m,
    );
    expect(usage.stderr).toMatch(/^ {2}Code +900421$/m);
    const json = await usagebudget(['usage', CUSTOMER, '--json', ...args], env);
    expect(JSON.parse(json.stderr.trim().split('\n').at(-1) as string)).toMatchObject({
      error: { type: 'MfaRequiredError', status: 401, code: 900421 },
      exitCode: 4,
    });
  });

  it('environment (app-only): get works, usage (app+user only) is refused, exit 4', async () => {
    const env = signInEnv({
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: DAEMON.clientId,
      AZURE_CLIENT_SECRET: DAEMON.clientSecret,
    });
    const base = ['--base-url', server.url, '--auth', 'environment'];
    const got = await usagebudget(['get', CUSTOMER, ...base], env);
    expect(got.code, got.stderr).toBe(0);
    const usage = await usagebudget(['usage', CUSTOMER, ...base], env);
    expect(usage.code, usage.stderr).toBe(4);
  });

  it('azure-cli: the token a stand-in az prints is the one the server verifies', async () => {
    const token = await authority.signToken(TENANT, { scp: 'user_impersonation', amr: ['pwd', 'mfa'], idtyp: 'user' });
    const bin = mkdtempSync(join(home ?? tmpdir(), 'az-'));
    const answer = {
      accessToken: token,
      expiresOn: '2100-01-01 00:00:00.000000',
      expires_on: 4_102_444_800,
      tenant: TENANT,
      tokenType: 'Bearer',
    };
    writeFileSync(join(bin, 'az'), `#!/bin/sh\ncat <<'EOF'\n${JSON.stringify(answer)}\nEOF\n`, { mode: 0o755 });
    const env = signInEnv({ PATH: `${bin}:${process.env.PATH}` });
    const usage = await usagebudget(['usage', CUSTOMER, '--base-url', server.url, '--auth', 'azure-cli'], env);
    expect(usage.code, usage.stderr).toBe(0);
    const who = await usagebudget(['whoami', '--auth', 'azure-cli'], env);
    expect(who.stdout).toMatch(/^MFA +yes$/m);
    expect(who.stdout + who.stderr).not.toContain(token.split('.')[1]);
  });

  it('--proxy carries the sign-in too: a CONNECT tunnel to the authority', async () => {
    const proxy = await startProxy('proxy-user:proxy-pass-0b7e');
    try {
      const env = signInEnv({
        AZURE_TENANT_ID: TENANT,
        AZURE_CLIENT_ID: DAEMON.clientId,
        AZURE_CLIENT_SECRET: DAEMON.clientSecret,
      });
      const run = await usagebudget(
        ['get', CUSTOMER, '--base-url', server.url, '--auth', 'environment', '--proxy', proxy.url, '--debug'],
        env,
      );
      expect(run.code, run.stderr).toBe(0);
      expect(proxy.tunnels).toContain(`localhost:${new URL(authority.url).port}`);
      expect(proxy.forwarded).toEqual([`${server.url}/v1/customers/${CUSTOMER}/usagebudget`]);
      expect(run.stdout + run.stderr).not.toContain('proxy-pass-0b7e');
    } finally {
      await proxy.close();
    }
  });
});

describe('--auth environment', () => {
  it('signs the app in with its secret: an app-only token, asked for .default; whoami shows it, the secret nowhere', async () => {
    const env = signInEnv({
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: DAEMON.clientId,
      AZURE_CLIENT_SECRET: DAEMON.clientSecret,
    });
    const run = await usagebudget(['whoami', '--auth', 'environment'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Tenant +${TENANT}$`, 'm'));
    expect(run.stdout).toMatch(/^Kind +app-only$/m);
    expect(run.stdout).toMatch(/^MFA +n\/a \(app-only\)$/m);
    expect(run.stdout).toMatch(/^Roles +Partner\.ReadWrite\.All$/m);
    expect(run.stdout + run.stderr).not.toMatch(JWT_START);
    expect(run.stdout + run.stderr).not.toContain(DAEMON.clientSecret);
    const request = authority.tokenRequests('client_credentials').at(-1);
    expect(request?.scope).toBe('https://api.partnercenter.microsoft.com/.default');
  });

  it("a wrong secret is exit 4 with the authority's words, the secret in none of them", async () => {
    const env = signInEnv({
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: DAEMON.clientId,
      AZURE_CLIENT_SECRET: 'wrong-secret-51c7',
    });
    const run = await usagebudget(['whoami', '--auth', 'environment'], env);
    expect(run.code, run.stderr).toBe(4);
    expect(run.stderr).toContain('AADSTS7000215');
    expect(run.stderr).not.toContain('wrong-secret-51c7');
  });
});
