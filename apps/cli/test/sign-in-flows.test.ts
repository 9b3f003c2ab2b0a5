// The CLI's sign-in through a real flow: the bin, with @azure/identity's own credentials pointed at a
// test authority on loopback over HTTPS (its CA given to the CLI's process as NODE_EXTRA_CA_CERTS,
// AZURE_AUTHORITY_HOST its URL): device code (the prompt on stderr, the sign-in kept between runs
// when allowed), client secret from the environment (app-only), whoami of both, sign-out.
// In this repository the encrypted store is never available (keytar is not built: see
// pnpm-workspace.yaml), so a sign-in is kept only in the unencrypted file the user allows.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestAuthority, type TestAuthority } from '@usagebudget/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usagebudget } from './support/run.js';

const TENANT = '7d3c2b1a-0f9e-4d8c-8b7a-6a5f4e3d2c1b';
const PUBLIC_APP = '5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b';
const DAEMON = {
  tenantId: TENANT,
  clientId: '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d',
  clientSecret: 'daemon-secret-8e41',
};
let authority: TestAuthority;
let home: string;

beforeAll(async () => {
  authority = await startTestAuthority();
  authority.addUser({ tenantId: TENANT, clientId: PUBLIC_APP, username: 'ann@contoso.example', mfa: true });
  authority.addApp({ ...DAEMON, roles: ['Partner.ReadWrite.All'] });
});

afterAll(async () => {
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
