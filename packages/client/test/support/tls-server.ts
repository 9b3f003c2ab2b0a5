import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { RequestListener } from 'node:http';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertificate } from './webhook-certificates.js';

/** An HTTPS server on loopback whose certificate (for `localhost`) a CA of its own issued. */
export interface TlsServer {
  /** `https://localhost:<port>`. */
  readonly url: string;
  /** A folder of its own, holding the CA's PEM file (`caFile`), for what the test writes beside it. */
  readonly folder: string;
  /** The CA as a PEM file, for Node's `NODE_EXTRA_CA_CERTS` in a process the test starts. */
  readonly caFile: string;
  close(): Promise<void>;
}

/** Starts `listener` over HTTPS on a free loopback port, with a new CA and a certificate for `localhost`. */
export async function startTlsServer(listener: RequestListener): Promise<TlsServer> {
  const folder = mkdtempSync(join(tmpdir(), 'usagebudget-tls-'));
  const ca = makeCertificate({ commonName: 'Test Loopback CA' });
  const leaf = makeCertificate({ commonName: 'localhost', issuer: ca });
  const caFile = join(folder, 'ca.pem');
  writeFileSync(caFile, ca.pem);
  const server = createServer(
    { cert: leaf.pem, key: leaf.key.export({ type: 'pkcs8', format: 'pem' }) as string },
    listener,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://localhost:${(server.address() as { port: number }).port}`,
    folder,
    caFile,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
