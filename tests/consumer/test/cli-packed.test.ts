// The CLI as a partner gets it: its tarball, with the client's and the spec package's, installed
// with npm into a folder outside the workspace and run through npx. Its new dependency,
// @azure/identity, is loaded lazily from that tree on a real sign-in (a client secret, at the test
// authority of @usagebudget/server/testing) against the reference server verifying the token; its
// optional encrypted token cache may be dropped by npm where keytar cannot build, and the install
// must succeed all the same.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  randomPartner,
  runToEnd,
  type ServerProcess,
  startServerProcess,
  startTestAuthority,
  type TestAuthority,
} from '@usagebudget/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packAndInstall } from '../src/packed-install.js';

const project = mkdtempSync(join(tmpdir(), 'usagebudget-cli-consumer-'));
// The partner is its tenant: the server takes a verified token's partner from its tid.
const partner = randomPartner('Packed CLI partner');
const CUSTOMER = partner.customers[0] as string;
const DAEMON = {
  tenantId: partner.id,
  clientId: '3c0d8f1e-5b2a-4c6d-9e8f-7a6b5c4d3e2f',
  clientSecret: 'packed-secret',
};
let authority: TestAuthority;
let server: ServerProcess;

/** `npx usagebudget ARGS` in the project, with `env` and none of the developer's settings. */
async function usagebudget(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(PARTNER_CENTER_|USAGEBUDGET_|AZURE_|HTTPS?_PROXY|NO_PROXY)/i.test(name),
    ),
  );
  return runToEnd('npx', ['--no-install', 'usagebudget', ...args, '--base-url', server.url], {
    cwd: project,
    env: { ...base, XDG_CONFIG_HOME: join(project, 'config'), ...env },
    timeoutMs: 120_000,
  });
}

beforeAll(async () => {
  authority = await startTestAuthority();
  authority.addApp({ ...DAEMON, roles: ['Partner.ReadWrite.All'] });
  server = await startServerProcess({
    config: { partners: [partner] },
    db: ':memory:',
    authority,
    args: ['--no-access-log'],
  });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'cli-consumer', private: true }));
  await packAndInstall(['@usagebudget/openapi', '@usagebudget/client', '@usagebudget/cli'], project);
});

afterAll(async () => {
  await server?.stop();
  await authority?.stop();
  rmSync(project, { recursive: true, force: true });
});

describe('the packed CLI, installed with npm', () => {
  it('sets and reads a budget through npx with a token', async () => {
    const token = partner.tokens[0] as string;
    const set = await usagebudget(['set', CUSTOMER, '12.50', '--token', token]);
    expect(set.code, set.stderr).toBe(0);
    const read = await usagebudget(['get', CUSTOMER, '--json', '--token', token]);
    expect(read.code, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ amount: 12.5 });
  });

  it('signs in with --auth environment through the installed @azure/identity, as an app-only token', async () => {
    const env = {
      NODE_EXTRA_CA_CERTS: authority.caFile,
      AZURE_AUTHORITY_HOST: authority.url,
      AZURE_TENANT_ID: DAEMON.tenantId,
      AZURE_CLIENT_ID: DAEMON.clientId,
      AZURE_CLIENT_SECRET: DAEMON.clientSecret,
    };
    const before = authority.tokenRequests('client_credentials').length;
    const whoami = await usagebudget(['whoami', '--json', '--auth', 'environment'], env);
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(JSON.parse(whoami.stdout)).toMatchObject({ tenantId: partner.id, kind: 'app-only' });
    const read = await usagebudget(['get', CUSTOMER, '--json', '--auth', 'environment'], env);
    expect(read.code, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ customerTenantId: CUSTOMER });
    expect(authority.tokenRequests('client_credentials').length).toBe(before + 2);
    expect(whoami.stdout + whoami.stderr + read.stdout + read.stderr).not.toContain(DAEMON.clientSecret);
  });
});
