// The server's own signing key and certificate chain for webhook events: a test root (a CA) and a
// signing certificate it issued, made at the first start and kept: in the data folder beside a
// SQLite file, in the database's secrets on PostgreSQL (so replicas sign alike), in memory for a
// `:memory:` server, such as the mock, which makes new ones at every start. Node's crypto
// makes the keys and every signature; node-forge only lays out the certificates (Node cannot
// build one), each signed with Node's RSA.
import {
  createPrivateKey,
  generateKeyPair,
  type KeyObject,
  privateEncrypt,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { SECRET_NAMES, type SecretStore } from '../storage/secret-store.js';

/** The organisation of the subject of the root and of the signing certificate: what a receiver under test trusts instead of `Microsoft Corporation`. */
export const WEBHOOK_SIGNING_ORGANIZATION = 'usagebudget reference server';
const ROOT_NAME = 'usagebudget reference server test root (not for production)';
const SIGNING_NAME = 'usagebudget webhook signing';

const DAY_MS = 24 * 60 * 60 * 1000;
const ROOT_DAYS = 3650;
const SIGNING_DAYS = 397;
/** A certificate this close to its end is made again at start. */
const RENEW_BEFORE_DAYS = 30;
/** Certificates start an hour early: a receiver's clock may be behind. */
const SKEW_MS = 60 * 60 * 1000;
// DigestInfo of a SHA-256 digest (RFC 8017, 9.2): what RSASSA-PKCS1-v1_5 signs.
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** The server's webhook signing material. */
export interface WebhookSigningKeys {
  /** The test root, PEM: what a receiver under test trusts. */
  readonly rootPem: string;
  /** The signing certificate, DER, as served at `x-ms-certificate-url`. */
  readonly certificateDer: Buffer;
  readonly certificatePem: string;
  /** Its file name under `/webhooks/certificates/`: a new certificate gets a new URL, so a cache by URL stays right. */
  readonly certificateName: string;
  /** RSASSA-PKCS1-v1_5 with SHA-256 over the exact bytes, base64. */
  sign(body: Buffer): string;
}

/** A private key and its certificate, PEM. */
export interface KeyAndCertificate {
  readonly keyPem: string;
  readonly certificatePem: string;
}

const makeKeyPair = promisify(generateKeyPair);

/** A new 2048-bit RSA key pair, PEM (SPKI, PKCS #8), made on libuv's threads. */
export async function rsaKeyPair(): Promise<{ publicKey: string; privateKey: string }> {
  return makeKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

/** node-forge's certificate signer, with the signature made by Node's RSA (forge's own is slow JavaScript). */
function nodeSigner(key: KeyObject): forge.pki.rsa.PrivateKey {
  return {
    sign: (md: forge.md.MessageDigest) =>
      privateEncrypt(key, Buffer.concat([SHA256_DIGEST_INFO, Buffer.from(md.digest().getBytes(), 'binary')])).toString(
        'binary',
      ),
  } as unknown as forge.pki.rsa.PrivateKey;
}

export interface CertificateRequest {
  readonly commonName: string;
  /** The subject's organisation. Default: {@link WEBHOOK_SIGNING_ORGANIZATION}. */
  readonly organization?: string;
  /** Host names of a server certificate (subjectAltName, which TLS clients check). */
  readonly dnsNames?: readonly string[];
  readonly publicKeyPem: string;
  readonly days: number;
  /** Absent: self-signed, a CA. */
  readonly issuer?: { readonly certificatePem: string; readonly key: KeyObject };
  readonly key: KeyObject;
}

/**
 * A certificate as PEM: a CA when self-signed, else a signing certificate the issuer vouches for
 * (a server certificate with `dnsNames`). The one maker of certificates: the webhook keys' and
 * the test authority's (`testing/tls-server.ts`).
 */
export function makeCertificate(request: CertificateRequest, now: Date): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(request.publicKeyPem);
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f; // a positive integer
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - SKEW_MS);
  cert.validity.notAfter = new Date(now.getTime() + request.days * DAY_MS);
  const subject = [
    { shortName: 'CN', value: request.commonName },
    { shortName: 'O', value: request.organization ?? WEBHOOK_SIGNING_ORGANIZATION },
  ];
  cert.setSubject(subject);
  const issuer = request.issuer && forge.pki.certificateFromPem(request.issuer.certificatePem);
  cert.setIssuer(issuer ? issuer.subject.attributes : subject);
  cert.setExtensions(
    issuer
      ? [
          { name: 'basicConstraints', cA: false, critical: true },
          { name: 'keyUsage', digitalSignature: true, critical: true },
          { name: 'subjectKeyIdentifier' },
          { name: 'authorityKeyIdentifier', keyIdentifier: issuer.generateSubjectKeyIdentifier().getBytes() },
          ...(request.dnsNames
            ? [
                { name: 'extKeyUsage', serverAuth: true },
                { name: 'subjectAltName', altNames: request.dnsNames.map((value) => ({ type: 2, value })) },
              ]
            : []),
        ]
      : [
          { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
          { name: 'subjectKeyIdentifier' },
        ],
  );
  cert.sign(nodeSigner(request.issuer?.key ?? request.key), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** Whether a certificate is still good for `RENEW_BEFORE_DAYS` more (and, with an issuer, was issued by it). */
function stillGood(certificatePem: string, now: Date, issuerPem?: string): boolean {
  const certificate = new X509Certificate(certificatePem);
  if (Date.parse(certificate.validTo) - now.getTime() < RENEW_BEFORE_DAYS * DAY_MS) return false;
  return issuerPem === undefined || certificate.verify(new X509Certificate(issuerPem).publicKey);
}

/** The two pairs the server keeps. */
type PairName = 'root' | 'signing';

/**
 * Where the signing keys are kept: each pair under its name. `keep` writes a new pair (in place of
 * `replacing`, the one read, when it is renewed) and returns the pair kept then: of servers
 * sharing a home and writing at once, every one gets the first's.
 */
export interface SigningKeyHome {
  read(name: PairName): Promise<KeyAndCertificate | undefined>;
  keep(name: PairName, pair: KeyAndCertificate, replacing: KeyAndCertificate | undefined): Promise<KeyAndCertificate>;
}

const FILES = {
  root: { certificate: 'root.pem', key: 'root.key' },
  signing: { certificate: 'signing.pem', key: 'signing.key' },
} as const;

async function readPair(
  dir: string,
  names: { certificate: string; key: string },
): Promise<KeyAndCertificate | undefined> {
  try {
    const [certificatePem, keyPem] = await Promise.all([
      readFile(join(dir, names.certificate), 'utf8'),
      readFile(join(dir, names.key), 'utf8'),
    ]);
    return { certificatePem, keyPem };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Writes a pair, each file whole or not at all (a temporary file renamed), the key readable by its owner only. */
async function writePair(dir: string, names: { certificate: string; key: string }, pair: KeyAndCertificate) {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  for (const [name, text, mode] of [
    [names.key, pair.keyPem, 0o600],
    [names.certificate, pair.certificatePem, 0o644],
  ] as const) {
    const temporary = join(dir, `.${name}.${process.pid}.tmp`);
    await writeFile(temporary, text, { mode });
    await rename(temporary, join(dir, name));
  }
}

/** The keys as files in `dir` (`root.pem`, `root.key`, `signing.pem`, `signing.key`): a SQLite server's, whose database is its alone. */
export function fileKeyHome(dir: string): SigningKeyHome {
  return {
    read: (name) => readPair(dir, FILES[name]),
    keep: async (name, pair) => {
      await writePair(dir, FILES[name], pair);
      return pair;
    },
  };
}

/** No home: new keys at every start (a `:memory:` server, such as the mock's). */
export const memoryKeyHome: SigningKeyHome = {
  read: async () => undefined,
  keep: async (_name, pair) => pair,
};

const SECRET_OF_PAIR = { root: SECRET_NAMES.webhookRoot, signing: SECRET_NAMES.webhookSigning } as const;
const pairText = (pair: KeyAndCertificate) =>
  JSON.stringify({ keyPem: pair.keyPem, certificatePem: pair.certificatePem });

/**
 * The keys in the database's secrets (PostgreSQL), each pair as JSON: the replicas of one
 * database sign alike, and the first replica to write a pair decides it for all. `secrets` may be
 * a promise: the keys are made while the database opens.
 */
export function secretKeyHome(secrets: SecretStore | Promise<SecretStore>): SigningKeyHome {
  return {
    read: async (name) => {
      const text = await (await secrets).secret(SECRET_OF_PAIR[name]);
      return text === undefined ? undefined : (JSON.parse(text) as KeyAndCertificate);
    },
    // What was read is replaced only while it is still what is kept (another replica may have
    // renewed it meanwhile): a pair's text is its JSON, written by `pairText` alone.
    keep: async (name, pair, replacing) =>
      JSON.parse(
        await (await secrets).keepSecret(SECRET_OF_PAIR[name], pairText(pair), replacing && pairText(replacing)),
      ) as KeyAndCertificate,
  };
}

/** The pair kept under `name` when it is still good, else a new one, kept there (or the one another server kept first). */
async function pairFor(
  home: SigningKeyHome,
  name: PairName,
  make: (keys: { publicKey: string; privateKey: string }) => string,
  good: (certificatePem: string) => boolean,
  keys: Promise<{ publicKey: string; privateKey: string }>,
): Promise<KeyAndCertificate> {
  const kept = await home.read(name);
  if (kept && good(kept.certificatePem)) return kept;
  const made = await keys;
  return home.keep(name, { keyPem: made.privateKey, certificatePem: make(made) }, kept);
}

/** A signing certificate's file name under `/webhooks/certificates/`: from its fingerprint, so a new certificate gets a new URL. */
export function certificateFileName(certificate: X509Certificate): string {
  return `signing-${certificate.fingerprint256.replaceAll(':', '').slice(0, 16).toLowerCase()}.cer`;
}

/**
 * The server's signing keys: those kept in `home` while they are good (a root for 10 years, a
 * signing certificate for 397 days, each made again 30 days before its end or when missing), else
 * new ones, kept there.
 */
export async function loadSigningKeys(home: SigningKeyHome, now = new Date()): Promise<WebhookSigningKeys> {
  // Both key pairs are made at once, on libuv's threads, while the rest of the start goes on; a
  // kept pair leaves its new one unused.
  const rootKeys = rsaKeyPair();
  const signingKeys = rsaKeyPair();
  rootKeys.catch(() => {});
  signingKeys.catch(() => {});
  const root = await pairFor(
    home,
    'root',
    (keys) =>
      makeCertificate(
        {
          commonName: ROOT_NAME,
          publicKeyPem: keys.publicKey,
          days: ROOT_DAYS,
          key: createPrivateKey(keys.privateKey),
        },
        now,
      ),
    (pem) => stillGood(pem, now),
    rootKeys,
  );
  const issuer = { certificatePem: root.certificatePem, key: createPrivateKey(root.keyPem) };
  const signing = await pairFor(
    home,
    'signing',
    (keys) =>
      makeCertificate(
        {
          commonName: SIGNING_NAME,
          publicKeyPem: keys.publicKey,
          days: SIGNING_DAYS,
          issuer,
          key: createPrivateKey(keys.privateKey),
        },
        now,
      ),
    (pem) => stillGood(pem, now, root.certificatePem),
    signingKeys,
  );
  const certificate = new X509Certificate(signing.certificatePem);
  const key = createPrivateKey(signing.keyPem);
  return {
    rootPem: root.certificatePem,
    certificateDer: certificate.raw,
    certificatePem: signing.certificatePem,
    certificateName: certificateFileName(certificate),
    sign: (body) => sign('sha256', body, key).toString('base64'),
  };
}
