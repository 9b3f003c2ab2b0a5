// Test certificates and a certificate host for the webhook verification tests: a root, signing
// certificates it issues (with any organisation or validity), certificates of another root, and
// deliveries signed with their keys. Node's crypto makes the keys and signatures; node-forge only
// lays out the certificates (Node cannot build one).
import { constants, generateKeyPairSync, type KeyObject, privateEncrypt, randomBytes, sign } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';

// DigestInfo of a SHA-256 digest (RFC 8017, 9.2): what RSASSA-PKCS1-v1_5 signs.
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');
const DAY_MS = 86_400_000;

export interface TestCertificate {
  readonly pem: string;
  readonly der: Buffer;
  readonly key: KeyObject;
}

export interface CertificateSpec {
  readonly commonName?: string;
  /** The subject's organisations (none, one or several). Default: `['Test Webhooks Inc']`. */
  readonly organisations?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  /** Absent: self-signed, a CA. */
  readonly issuer?: TestCertificate;
  /** A CA issued by `issuer` (an intermediate). */
  readonly ca?: boolean;
  /** Where its issuer can be downloaded (Authority Information Access, "CA Issuers"). */
  readonly issuerUrl?: string;
}

/** The Authority Information Access extension naming `url` as the issuer's ("CA Issuers"). */
function issuerAccess(url: string) {
  const { asn1 } = forge;
  const description = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer('1.3.6.1.5.5.7.48.2').getBytes()),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 6, false, url),
  ]);
  const value = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [description]);
  return { id: '1.3.6.1.5.5.7.1.1', value: asn1.toDer(value).getBytes() };
}

function forgeSigner(key: KeyObject): forge.pki.rsa.PrivateKey {
  return {
    sign: (md: forge.md.MessageDigest) =>
      privateEncrypt(key, Buffer.concat([SHA256_DIGEST_INFO, Buffer.from(md.digest().getBytes(), 'binary')])).toString(
        'binary',
      ),
  } as unknown as forge.pki.rsa.PrivateKey;
}

/** A certificate with a fresh 2048-bit RSA key. */
export function makeCertificate(spec: CertificateSpec = {}): TestCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string);
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = spec.notBefore ?? new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = spec.notAfter ?? new Date(Date.now() + 30 * DAY_MS);
  const subject = [
    { shortName: 'CN', value: spec.commonName ?? 'webhook signing' },
    ...(spec.organisations ?? ['Test Webhooks Inc']).map((value) => ({ shortName: 'O', value })),
  ];
  cert.setSubject(subject);
  const issuer = spec.issuer && forge.pki.certificateFromPem(spec.issuer.pem);
  cert.setIssuer(issuer ? issuer.subject.attributes : subject);
  const ca = !issuer || spec.ca === true;
  cert.setExtensions([
    { name: 'basicConstraints', cA: ca, critical: true },
    ca
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    ...(issuer
      ? [{ name: 'authorityKeyIdentifier', keyIdentifier: issuer.generateSubjectKeyIdentifier().getBytes() }]
      : []),
    ...(spec.issuerUrl ? [issuerAccess(spec.issuerUrl)] : []),
  ]);
  cert.sign(forgeSigner(spec.issuer?.key ?? privateKey), forge.md.sha256.create());
  const pem = forge.pki.certificateToPem(cert);
  const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
  return { pem, der, key: privateKey };
}

/** RSASSA-PKCS1-v1_5 with SHA-256 over `body`, base64. */
export const signBody = (body: Buffer | string, key: KeyObject) =>
  sign('sha256', Buffer.from(body), { key, padding: constants.RSA_PKCS1_PADDING }).toString('base64');

/** What a route of the certificate host answers. */
export type Route = (response: ServerResponse, counter: { bytesWritten: number }) => void;

export interface CertificateHost {
  /** `127.0.0.1:PORT`. */
  readonly host: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** How many requests each path got. */
  readonly hits: Map<string, number>;
  /** The bytes each path's answers wrote to the socket, body included, by the time it closed. */
  readonly written: Map<string, number>;
  route(path: string, route: Route): void;
  close(): Promise<void>;
}

/** Serves `bytes` with a Content-Length. */
export const serve =
  (bytes: Buffer | string, type = 'application/pkix-cert'): Route =>
  (response) =>
    response.writeHead(200, { 'Content-Type': type }).end(bytes);

/**
 * Streams `total` bytes without a Content-Length (chunked), writing only as fast as the client
 * reads: what the host wrote is what a client's reading let through.
 */
export const stream =
  (total: number): Route =>
  (response, counter) => {
    const chunk = Buffer.alloc(65_536, 0x41);
    response.writeHead(200, { 'Content-Type': 'application/pkix-cert' });
    const pump = () => {
      while (counter.bytesWritten < total) {
        counter.bytesWritten += chunk.length;
        if (!response.write(chunk)) return void response.once('drain', pump);
      }
      response.end();
    };
    response.once('close', () => response.removeAllListeners('drain'));
    pump();
  };

/** A host on 127.0.0.1 that answers each path as a test routes it, counting requests and bytes. */
export async function startCertificateHost(): Promise<CertificateHost> {
  const routes = new Map<string, Route>();
  const hits = new Map<string, number>();
  const written = new Map<string, number>();
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const counter = { bytesWritten: 0 };
    response.once('close', () => written.set(path, (written.get(path) ?? 0) + counter.bytesWritten));
    const route = routes.get(path);
    if (route) route(response, counter);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    origin: `http://127.0.0.1:${port}`,
    hits,
    written,
    route: (path, route) => routes.set(path, route),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
