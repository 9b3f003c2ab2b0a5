import { constants, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/storage/sqlite-store.js';
import {
  fileKeyHome,
  loadSigningKeys,
  memoryKeyHome,
  secretKeyHome,
  WEBHOOK_SIGNING_ORGANIZATION,
} from '../../src/webhooks/signing-keys.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'usagebudget-signing-'));
  dirs.push(dir);
  return join(dir, 'webhook-signing');
}

describe('the webhook signing keys', () => {
  it('sign with RSA PKCS#1 v1.5 and SHA-256, by a certificate that chains to the root, both of the server’s organisation', async () => {
    const keys = await loadSigningKeys(memoryKeyHome);
    const root = new X509Certificate(keys.rootPem);
    const signing = new X509Certificate(keys.certificateDer);
    expect(root.ca).toBe(true);
    expect(signing.ca).toBe(false);
    expect(root.verify(root.publicKey)).toBe(true);
    expect(signing.verify(root.publicKey)).toBe(true);
    expect(signing.checkIssued(root)).toBe(true);
    expect(signing.subject).toContain(`O=${WEBHOOK_SIGNING_ORGANIZATION}`);
    expect(root.subject).toContain(`O=${WEBHOOK_SIGNING_ORGANIZATION}`);
    expect(signing.publicKey.asymmetricKeyType).toBe('rsa');
    expect(new X509Certificate(keys.certificatePem).raw.equals(signing.raw)).toBe(true);
    const body = Buffer.from('{"EventName":"test-created"}');
    const signature = Buffer.from(keys.sign(body), 'base64');
    const key = {
      key: createPublicKey(signing.publicKey.export({ type: 'spki', format: 'pem' })),
      padding: constants.RSA_PKCS1_PADDING,
    };
    expect(verify('sha256', body, key, signature)).toBe(true);
    expect(verify('sha256', Buffer.from('{"EventName":"test-createD"}'), key, signature)).toBe(false);
    expect(keys.certificateName).toMatch(/^signing-[0-9a-f]{16}\.cer$/);
  });

  it('are kept in their folder (keys readable by the owner only) and read again at the next start', async () => {
    const dir = await scratch();
    const first = await loadSigningKeys(fileKeyHome(dir));
    expect((await readdir(dir)).sort()).toEqual(['root.key', 'root.pem', 'signing.key', 'signing.pem']);
    expect((await stat(join(dir, 'signing.key'))).mode & 0o777).toBe(0o600);
    const second = await loadSigningKeys(fileKeyHome(dir));
    expect(second.rootPem).toBe(first.rootPem);
    expect(second.certificateName).toBe(first.certificateName);
  });

  it('make a new signing certificate under the same root when it nears its end', async () => {
    const dir = await scratch();
    const first = await loadSigningKeys(fileKeyHome(dir));
    const later = new Date(Date.now() + 380 * 24 * 60 * 60 * 1000);
    const renewed = await loadSigningKeys(fileKeyHome(dir), later);
    expect(renewed.rootPem).toBe(first.rootPem);
    expect(renewed.certificateName).not.toBe(first.certificateName);
    expect(new X509Certificate(renewed.certificateDer).verify(new X509Certificate(first.rootPem).publicKey)).toBe(true);
  });

  it("kept in the database's secrets by servers starting at once, are the first one's for all, and renewed once", async () => {
    const store = openSqliteStore(':memory:');
    try {
      const home = secretKeyHome(store);
      const three = await Promise.all([loadSigningKeys(home), loadSigningKeys(home), loadSigningKeys(home)]);
      expect(new Set(three.map(({ rootPem }) => rootPem)).size).toBe(1);
      expect(new Set(three.map(({ certificateName }) => certificateName)).size).toBe(1);
      const body = Buffer.from('{"EventName":"test-created"}');
      expect(new Set(three.map((keys) => keys.sign(body))).size, 'one signing key').toBe(1);
      const later = new Date(Date.now() + 380 * 24 * 60 * 60 * 1000);
      const renewed = await Promise.all([loadSigningKeys(home, later), loadSigningKeys(home, later)]);
      expect(renewed.map(({ rootPem }) => rootPem)).toEqual([three[0]?.rootPem, three[0]?.rootPem]);
      expect(renewed[0]?.certificateName).not.toBe(three[0]?.certificateName);
      expect(renewed[1]?.certificateName).toBe(renewed[0]?.certificateName);
      expect((await loadSigningKeys(home)).certificateName).toBe(renewed[0]?.certificateName);
    } finally {
      await store.close();
    }
  });
});
