// An HTTPS server on loopback with a CA of its own: what a test authority or an HTTPS API under
// test listens on. Its CA is a PEM file, for NODE_EXTRA_CA_CERTS of a process the test starts
// (Node reads that variable at start only).
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertificate, rsaKeyPair } from '../webhooks/signing-keys.js';

/** An HTTPS server on loopback whose certificate (for `localhost`) a CA of its own issued. */
export interface TlsServer {
  /** `https://localhost:<port>`. */
  readonly url: string;
  /** A folder of its own, holding the CA's PEM file (`caFile`), for what the test writes beside it; removed by `close`. */
  readonly folder: string;
  /** The CA as a PEM file, for Node's `NODE_EXTRA_CA_CERTS` in a process the test starts. */
  readonly caFile: string;
  /** The CA as PEM, for a client in this process (`ca` of an HTTPS agent). */
  readonly caPem: string;
  close(): Promise<void>;
}

const ORGANIZATION = 'usagebudget test loopback (not for production)';

/** A new CA and a certificate for `localhost` (and 127.0.0.1) it issued, PEM. */
async function loopbackCertificates(): Promise<{ caPem: string; certificatePem: string; keyPem: string }> {
  const [caKeys, leafKeys] = await Promise.all([rsaKeyPair(), rsaKeyPair()]);
  const caKey = createPrivateKey(caKeys.privateKey);
  const now = new Date();
  const caPem = makeCertificate(
    {
      commonName: 'Test Loopback CA',
      organization: ORGANIZATION,
      publicKeyPem: caKeys.publicKey,
      days: 30,
      key: caKey,
    },
    now,
  );
  const certificatePem = makeCertificate(
    {
      commonName: 'localhost',
      organization: ORGANIZATION,
      dnsNames: ['localhost'],
      publicKeyPem: leafKeys.publicKey,
      days: 30,
      key: createPrivateKey(leafKeys.privateKey),
      issuer: { certificatePem: caPem, key: caKey },
    },
    now,
  );
  return { caPem, certificatePem, keyPem: leafKeys.privateKey };
}

/** Starts `listener` over HTTPS on a free loopback port, with a new CA and a certificate for `localhost`. */
export async function startTlsServer(listener: RequestListener): Promise<TlsServer> {
  const { caPem, certificatePem, keyPem } = await loopbackCertificates();
  const folder = mkdtempSync(join(tmpdir(), 'usagebudget-tls-'));
  const caFile = join(folder, 'ca.pem');
  writeFileSync(caFile, caPem);
  const server = createServer({ cert: certificatePem, key: keyPem }, listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://localhost:${(server.address() as { port: number }).port}`,
    folder,
    caFile,
    caPem,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
