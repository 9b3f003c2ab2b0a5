// Verifying webhook deliveries against certificates a test makes and serves from a loopback host:
// a genuine delivery, and each hostile case the issue names, each refused with its reason (and,
// where the certificate URL is at fault, without a byte fetched).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWebhookVerifier,
  memoryReplayGuard,
  verifyWebhookEvent,
  type WebhookDelivery,
  WebhookVerificationError,
  type WebhookVerificationReason,
  type WebhookVerifierOptions,
} from '../src/webhooks.js';
import {
  type CertificateHost,
  makeCertificate,
  serve,
  signBody,
  startCertificateHost,
  stream,
  type TestCertificate,
} from './support/webhook-certificates.js';

const ORGANISATION = 'Test Webhooks Inc';
const EVENT = {
  EventName: 'usagerecords-thresholdExceeded',
  ResourceUri: 'https://api.partnercenter.microsoft.com/v1/customers/usagerecords',
  ResourceName: 'usagerecords',
  AuditUri: null,
  ResourceChangeUtcDate: '2026-12-06T20:00:00.000Z',
};
const BODY = Buffer.from(JSON.stringify(EVENT));
const MiB = 1024 * 1024;

/** The rejection of a verification, which must be a WebhookVerificationError with `reason`. */
async function refusal(promise: Promise<unknown>, reason: WebhookVerificationReason) {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  expect((error as WebhookVerificationError).reason, (error as Error).message).toBe(reason);
  return error as WebhookVerificationError;
}

describe('webhook verification', () => {
  let host: CertificateHost;
  let otherHost: CertificateHost;
  let root: TestCertificate;
  let signing: TestCertificate;
  let intermediate: TestCertificate;
  let viaIntermediate: TestCertificate;
  let viaIssuerUrl: TestCertificate;
  let viaIssuerElsewhere: TestCertificate;
  let trust: NonNullable<WebhookVerifierOptions['trust']>;
  const url = (path: string) => `${host.origin}${path}`;
  const hits = (path: string) => host.hits.get(path) ?? 0;

  /** A delivery of `body` signed by `key`, naming the certificate at `path`, with `headers` over the usual ones. */
  const delivery = (
    path = '/cert/signing.cer',
    { body = BODY, key = signing.key, headers = {} as Record<string, string | string[] | undefined> } = {},
  ): WebhookDelivery => ({
    body,
    headers: {
      authorization: `Signature ${signBody(body, key)}`,
      'x-ms-certificate-url': url(path),
      'x-ms-signature-algorithm': 'rsa-sha256',
      'content-type': 'application/json',
      ...headers,
    },
  });
  const verifier = (options: WebhookVerifierOptions = {}) =>
    createWebhookVerifier({ trust, timeoutMs: 2_000, ...options });

  beforeAll(async () => {
    [host, otherHost] = await Promise.all([startCertificateHost(), startCertificateHost()]);
    root = makeCertificate({ commonName: 'Test Root', organisations: ['Test Root Org'] });
    signing = makeCertificate({ issuer: root, organisations: [ORGANISATION] });
    intermediate = makeCertificate({ issuer: root, ca: true, commonName: 'Test Intermediate' });
    viaIntermediate = makeCertificate({ issuer: intermediate, organisations: [ORGANISATION] });
    const otherRoot = makeCertificate({ commonName: 'Other Root' });
    const certificates: Record<string, TestCertificate> = {
      signing,
      'other-root': makeCertificate({ issuer: otherRoot, organisations: [ORGANISATION] }),
      'self-signed': makeCertificate({ organisations: [ORGANISATION] }),
      'other-organisation': makeCertificate({ issuer: root, organisations: ['Evil Corp'] }),
      'two-organisations': makeCertificate({ issuer: root, organisations: [ORGANISATION, 'Evil Corp'] }),
      // A subject whose text, printed, would read as the trusted organisation.
      'organisation-in-name': makeCertificate({
        issuer: root,
        commonName: `x\nO=${ORGANISATION}`,
        organisations: [],
      }),
      expired: makeCertificate({
        issuer: root,
        organisations: [ORGANISATION],
        notBefore: new Date(Date.now() - 60 * 86_400_000),
        notAfter: new Date(Date.now() - 86_400_000),
      }),
      'via-intermediate': viaIntermediate,
    };
    for (const [name, certificate] of Object.entries(certificates)) {
      host.route(`/cert/${name}.cer`, serve(certificate.der));
      host.route(`/cert/${name}.pem`, serve(certificate.pem, 'application/x-pem-file'));
    }
    host.route('/cert/chain.pem', serve(`${viaIntermediate.pem}${intermediate.pem}`));
    host.route('/cert/redirect.cer', (response) =>
      response.writeHead(302, { Location: url('/cert/signing.cer') }).end(),
    );
    host.route('/cert/huge.cer', stream(100 * MiB));
    host.route('/cert/huge-declared.cer', (response) => {
      response.writeHead(200, { 'Content-Length': String(100 * MiB) });
      response.write(Buffer.alloc(65_536));
    });
    host.route('/cert/garbage.cer', serve(Buffer.from('not a certificate')));
    host.route('/cert/hangs.cer', () => undefined);
    otherHost.route('/cert/signing.cer', serve(signing.der));
    // A certificate that names where its intermediate is, as Partner Center's do (AIA).
    host.route('/pki/intermediate.cer', serve(intermediate.der));
    viaIssuerUrl = makeCertificate({
      issuer: intermediate,
      organisations: [ORGANISATION],
      issuerUrl: url('/pki/intermediate.cer'),
    });
    host.route('/cert/via-issuer-url.cer', serve(viaIssuerUrl.der));
    viaIssuerElsewhere = makeCertificate({
      issuer: intermediate,
      organisations: [ORGANISATION],
      issuerUrl: `${otherHost.origin}/pki/intermediate.cer`,
    });
    host.route('/cert/via-issuer-elsewhere.cer', serve(viaIssuerElsewhere.der));
    otherHost.route('/pki/intermediate.cer', serve(intermediate.der));
    trust = { roots: [root.pem], certificateHosts: [host.host], allowHttp: true, organisation: ORGANISATION };
  });
  afterAll(async () => {
    await Promise.all([host?.close(), otherHost?.close()]);
  });

  describe('a genuine delivery', () => {
    it('verifies from its exact bytes and resolves with the typed event, the certificate DER or PEM', async () => {
      for (const path of ['/cert/signing.cer', '/cert/signing.pem']) {
        expect(await verifier().verify(delivery(path))).toEqual(EVENT);
      }
    });

    it('takes the signature from x-ms-signature, with or without the scheme, and headers as a fetch Headers', async () => {
      const signature = signBody(BODY, signing.key);
      for (const value of [`Signature ${signature}`, signature]) {
        const { headers } = delivery();
        const fetchHeaders = new Headers(headers as Record<string, string>);
        fetchHeaders.delete('authorization');
        fetchHeaders.set('x-ms-signature', value);
        expect(await verifier().verify({ body: BODY, headers: fetchHeaders })).toEqual(EVENT);
      }
    });

    it('chains through an intermediate the URL serves after the certificate, or one the trust names', async () => {
      const key = viaIntermediate.key;
      expect(await verifier().verify(delivery('/cert/chain.pem', { key }))).toEqual(EVENT);
      await refusal(verifier().verify(delivery('/cert/via-intermediate.cer', { key })), 'certificate-untrusted');
      const named = verifier({ trust: { ...trust, intermediates: [intermediate.pem] } });
      expect(await named.verify(delivery('/cert/via-intermediate.cer', { key }))).toEqual(EVENT);
    });

    it('downloads the intermediate the certificate names (AIA) from an allowed issuer host, once', async () => {
      const before = hits('/pki/intermediate.cer');
      const shared = verifier({ trust: { ...trust, issuerHosts: [host.host] }, replayGuard: false });
      const delivered = delivery('/cert/via-issuer-url.cer', { key: viaIssuerUrl.key });
      expect(await shared.verify(delivered)).toEqual(EVENT);
      expect(await shared.verify(delivered)).toEqual(EVENT);
      expect(hits('/pki/intermediate.cer') - before).toBe(1);
      // By default only Microsoft's and DigiCert's issuer hosts are: nothing downloaded, untrusted.
      await refusal(verifier().verify(delivered), 'certificate-untrusted');
      expect(hits('/pki/intermediate.cer') - before).toBe(1);
    });

    it('does not download an intermediate from a host off the issuer hosts', async () => {
      await refusal(
        verifier({ trust: { ...trust, issuerHosts: [host.host] } }).verify(
          delivery('/cert/via-issuer-elsewhere.cer', { key: viaIssuerElsewhere.key }),
        ),
        'certificate-untrusted',
      );
      expect(otherHost.hits.get('/pki/intermediate.cer') ?? 0).toBe(0);
    });

    it('fetches a certificate once per URL for all the deliveries a verifier checks', async () => {
      const before = hits('/cert/signing.pem');
      const shared = verifier({ replayGuard: false });
      await Promise.all([shared.verify(delivery('/cert/signing.pem')), shared.verify(delivery('/cert/signing.pem'))]);
      await shared.verify(delivery('/cert/signing.pem'));
      expect(hits('/cert/signing.pem') - before).toBe(1);
    });

    it('reads a body given as a string as its UTF-8 bytes', async () => {
      const body = JSON.stringify({ ...EVENT, ResourceName: 'usagerecords é' });
      expect((await verifier().verify(delivery(undefined, { body: Buffer.from(body) }))).ResourceName).toBe(
        'usagerecords é',
      );
      const { headers } = delivery(undefined, { body: Buffer.from(body) });
      expect((await verifier().verify({ body, headers })).ResourceName).toBe('usagerecords é');
    });
  });

  describe('refuses a forged delivery', () => {
    it('whose body was changed by one byte', async () => {
      const { headers } = delivery();
      const changed = Buffer.from(BODY);
      changed[changed.length - 3] = (changed[changed.length - 3] as number) ^ 1;
      await refusal(verifier().verify({ body: changed, headers }), 'bad-signature');
    });

    it('signed by another key than the certificate’s', async () => {
      const other = makeCertificate({ issuer: root, organisations: [ORGANISATION] });
      await refusal(verifier().verify(delivery(undefined, { key: other.key })), 'bad-signature');
    });

    it('whose signature is not base64', async () => {
      await refusal(
        verifier().verify(delivery(undefined, { headers: { authorization: 'Signature not*base64' } })),
        'bad-signature',
      );
    });

    it('whose body verifies but is no event', async () => {
      const body = Buffer.from('{"EventName": 42}');
      await refusal(verifier().verify(delivery(undefined, { body })), 'malformed-body');
    });
  });

  describe('refuses a certificate URL before fetching it', () => {
    it.each([
      ['on another host', () => `${otherHost.origin}/cert/signing.cer`],
      ['with a user name and password', () => url('/cert/signing.cer').replace('http://', 'http://user:pw@')],
      ['of another scheme', () => url('/cert/signing.cer').replace('http://', 'ftp://')],
      ['outside the certificate path', () => url('/certificates/signing.cer')],
      ['climbing out of it', () => url('/cert/../cert/signing.cer')],
      ['climbing out of it, encoded', () => url('/cert/%2e%2e/cert/signing.cer')],
      ['with a query', () => url('/cert/signing.cer?x=1')],
      ['with a fragment', () => url('/cert/signing.cer#x')],
      ['not a URL', () => 'signing.cer'],
    ])('%s', async (_, certificateUrl) => {
      const before = [hits('/cert/signing.cer'), otherHost.hits.get('/cert/signing.cer') ?? 0];
      await refusal(
        verifier().verify(delivery(undefined, { headers: { 'x-ms-certificate-url': certificateUrl() } })),
        'untrusted-certificate-url',
      );
      expect([hits('/cert/signing.cer'), otherHost.hits.get('/cert/signing.cer') ?? 0]).toEqual(before);
    });

    it('http when the trust does not allow it', async () => {
      const before = hits('/cert/signing.cer');
      await refusal(
        verifier({ trust: { ...trust, allowHttp: false } }).verify(delivery()),
        'untrusted-certificate-url',
      );
      expect(hits('/cert/signing.cer')).toBe(before);
    });

    it('with the default options, which trust Partner Center alone: nothing is fetched', async () => {
      const fetched: string[] = [];
      const options: WebhookVerifierOptions = {
        fetchCertificate: async (certificateUrl) => {
          fetched.push(certificateUrl.href);
          return signing.der;
        },
      };
      const before = hits('/cert/signing.cer');
      await refusal(verifyWebhookEvent(delivery(), options), 'untrusted-certificate-url');
      await refusal(verifyWebhookEvent(delivery()), 'untrusted-certificate-url');
      const https = delivery(undefined, {
        headers: { 'x-ms-certificate-url': `https://3psostorageacct.blob.core.windows.net:8443/cert/x.cer` },
      });
      await refusal(verifyWebhookEvent(https, options), 'untrusted-certificate-url');
      expect(fetched).toEqual([]);
      expect(hits('/cert/signing.cer')).toBe(before);
    });

    it('but lets Partner Center’s own URL through to the fetch by default', async () => {
      const fetched: string[] = [];
      const genuine = delivery(undefined, {
        headers: {
          'x-ms-certificate-url':
            'https://3psostorageacct.blob.core.windows.net/cert/pcnotifications-dispatch.microsoft.com.cer',
        },
      });
      // The test certificate does not chain to the system's roots: fetched, then refused.
      await refusal(
        verifyWebhookEvent(genuine, {
          fetchCertificate: async (certificateUrl) => {
            fetched.push(certificateUrl.href);
            return signing.der;
          },
        }),
        'certificate-untrusted',
      );
      expect(fetched).toEqual([
        'https://3psostorageacct.blob.core.windows.net/cert/pcnotifications-dispatch.microsoft.com.cer',
      ]);
    });
  });

  describe('bounds the certificate fetch', () => {
    it('does not follow a redirect', async () => {
      const before = hits('/cert/signing.cer');
      await refusal(verifier().verify(delivery('/cert/redirect.cer')), 'certificate-fetch-failed');
      expect(hits('/cert/signing.cer')).toBe(before);
    });

    it('stops reading a 100 MB certificate sent without a length soon after the bound', async () => {
      await refusal(verifier().verify(delivery('/cert/huge.cer')), 'certificate-too-large');
      await expect.poll(() => host.written.get('/cert/huge.cer'), { timeout: 5_000 }).toBeDefined();
      // The bound (64 KiB) plus what the loopback socket's buffers and fetch's read-ahead held
      // (about 4 MB here): far from 100 MB.
      expect(host.written.get('/cert/huge.cer')).toBeLessThan(16 * MiB);
    });

    it('refuses a certificate whose Content-Length is past the bound without reading it', async () => {
      await refusal(
        verifier({ maxCertificateBytes: 4096 }).verify(delivery('/cert/huge-declared.cer')),
        'certificate-too-large',
      );
    });

    it('gives up on a host that does not answer in time', async () => {
      const started = Date.now();
      await refusal(verifier({ timeoutMs: 300 }).verify(delivery('/cert/hangs.cer')), 'certificate-fetch-failed');
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('refuses bytes that are no certificate', async () => {
      await refusal(verifier().verify(delivery('/cert/garbage.cer')), 'malformed-certificate');
    });
  });

  describe('refuses a certificate', () => {
    it.each([
      ['that does not chain to a trusted root', '/cert/other-root.cer', 'certificate-untrusted'],
      ['self-signed', '/cert/self-signed.cer', 'certificate-untrusted'],
      ['of another organisation', '/cert/other-organisation.cer', 'wrong-organisation'],
      ['of two organisations', '/cert/two-organisations.cer', 'wrong-organisation'],
      ['whose common name spells the organisation', '/cert/organisation-in-name.cer', 'wrong-organisation'],
      ['that has expired', '/cert/expired.cer', 'certificate-expired'],
    ] as const)('%s', async (_, path, reason) => {
      await refusal(verifier().verify(delivery(path)), reason);
    });

    it('trusted by its issuer alone when it is not the trusted organisation (Microsoft’s sample checks the issuer)', async () => {
      await refusal(
        verifier({ trust: { ...trust, organisation: 'Test Root Org' } }).verify(delivery()),
        'wrong-organisation',
      );
    });

    it('cached, once it expires at verification time', async () => {
      let now = new Date();
      const clocked = verifier({ now: () => now, replayGuard: false });
      await clocked.verify(delivery('/cert/signing.pem'));
      now = new Date(Date.now() + 31 * 86_400_000);
      await refusal(clocked.verify(delivery('/cert/signing.pem')), 'certificate-expired');
    });
  });

  describe('refuses the headers', () => {
    it.each([
      ['no signature', { authorization: undefined }, 'missing-header'],
      ['an Authorization of another scheme', { authorization: 'Bearer abc' }, 'missing-header'],
      ['no certificate URL', { 'x-ms-certificate-url': undefined }, 'missing-header'],
      ['no algorithm', { 'x-ms-signature-algorithm': undefined }, 'missing-header'],
      ['another algorithm', { 'x-ms-signature-algorithm': 'rsa-sha1' }, 'unsupported-algorithm'],
      ['two certificate URLs', { 'x-ms-certificate-url': ['A', 'B'] }, 'duplicate-header'],
      [
        'two certificate URLs joined',
        { 'x-ms-certificate-url': 'https://a/cert/a.cer, https://b/cert/b.cer' },
        'duplicate-header',
      ],
      ['two algorithms', { 'x-ms-signature-algorithm': ['rsa-sha256', 'rsa-sha256'] }, 'duplicate-header'],
      ['two signatures', { 'x-ms-signature': 'Signature AAAA' }, 'duplicate-header'],
    ] as const)('%s', async (_, headers, reason) => {
      const genuine = delivery();
      const changed = { ...genuine, headers: { ...(genuine.headers as Record<string, unknown>), ...headers } };
      await refusal(verifier().verify(changed as WebhookDelivery), reason);
    });

    it('two Authorization headers, as Node gives every copy (headersDistinct)', async () => {
      const genuine = delivery();
      const authorization = (genuine.headers as Record<string, string>).authorization as string;
      const headers = { ...(genuine.headers as Record<string, string>), authorization: [authorization, authorization] };
      await refusal(verifier().verify({ body: BODY, headers }), 'duplicate-header');
    });
  });

  describe('the replay guard', () => {
    it('refuses the same delivery again within its window, and not after it', async () => {
      let now = new Date();
      const guarded = verifier({ now: () => now });
      const genuine = delivery();
      await guarded.verify(genuine);
      await refusal(guarded.verify(genuine), 'replay');
      // Another event (another body) is no replay.
      const other = delivery(undefined, { body: Buffer.from(JSON.stringify({ ...EVENT, ResourceName: 'x' })) });
      await guarded.verify(other);
      now = new Date(now.getTime() + 11 * 60_000);
      expect(await guarded.verify(genuine)).toEqual(EVENT);
    });

    it('is shared by the calls of verifyWebhookEvent with the same options', async () => {
      const options: WebhookVerifierOptions = { trust };
      const genuine = delivery('/cert/signing.pem', { body: Buffer.from(JSON.stringify({ ...EVENT, AuditUri: 'a' })) });
      await verifyWebhookEvent(genuine, options);
      await refusal(verifyWebhookEvent(genuine, options), 'replay');
    });

    it('forgets a delivery on request, and does not remember one that failed', async () => {
      const guarded = verifier();
      const genuine = delivery();
      await guarded.verify(genuine);
      guarded.forget(genuine);
      expect(await guarded.verify(genuine)).toEqual(EVENT);
      const { headers } = genuine;
      await refusal(guarded.verify({ body: Buffer.from(`${BODY} `), headers }), 'bad-signature');
    });
  });
});

describe('memoryReplayGuard', () => {
  it('refuses a key again within its window, not after it, and holds at most its bound (the oldest dropped)', () => {
    const guard = memoryReplayGuard(1_000, 3);
    expect(['a', 'b', 'c'].map((key) => guard.check(key, 0))).toEqual([true, true, true]);
    expect(guard.check('a', 999)).toBe(false);
    // A fourth key: the oldest ('a') is dropped to stay within 3, so it is new again.
    expect(guard.check('d', 999)).toBe(true);
    expect(guard.check('a', 999)).toBe(true);
    expect(guard.check('c', 999)).toBe(false);
    expect(guard.check('c', 1_000)).toBe(true);
  });
});
