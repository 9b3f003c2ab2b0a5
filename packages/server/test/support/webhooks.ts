// What the webhook tests share: registering a receiver, and checking a delivery's signature as a
// receiver would, with Node's crypto alone: the certificate fetched from the URL the delivery
// names, its chain to the root the server serves, and RSA PKCS#1 v1.5 SHA-256 over the exact bytes.
import { constants, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { expect } from 'vitest';
import type { RawResponse, ReceivedDelivery } from '../../src/testing/index.js';
import { sendConforming } from './spec-conformance.js';

export const REGISTRATION = '/webhooks/v1/registration';
export const VALIDATION_EVENTS = `${REGISTRATION}/validationEvents`;

export const bearer = (token: string, more: Record<string, string> = {}) => ({
  Authorization: `Bearer ${token}`,
  ...more,
});

/** `POST` (or `PUT`) of a registration, checked against the spec. */
export function register(
  url: string,
  token: string,
  body: unknown,
  method: 'POST' | 'PUT' = 'POST',
): Promise<RawResponse> {
  return sendConforming(url, {
    method,
    path: REGISTRATION,
    headers: bearer(token, { 'Content-Type': 'application/json' }),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** `POST .../validationEvents`, checked against the spec. */
export function sendTestEvent(url: string, token: string): Promise<RawResponse> {
  return sendConforming(url, { method: 'POST', path: VALIDATION_EVENTS, headers: bearer(token) });
}

/** `GET .../validationEvents/{correlationId}`, parsed, checked against the spec. */
export async function testEventStatus(url: string, token: string, correlationId: string) {
  const response = await sendConforming(url, { path: `${VALIDATION_EVENTS}/${correlationId}`, headers: bearer(token) });
  expect(response.status, response.text).toBe(200);
  return JSON.parse(response.text) as {
    status: string;
    callbackUrl: string;
    results: { responseCode: string; responseMessage: string; systemError: boolean; dateTimeUtc: string }[];
  };
}

/** Polls a test event's status until `done` says so (at most 10 s). */
export async function statusWhen(
  url: string,
  token: string,
  correlationId: string,
  done: (status: Awaited<ReturnType<typeof testEventStatus>>) => boolean,
) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = await testEventStatus(url, token, correlationId);
    if (done(status) || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The signature a delivery carries: `Authorization` or `x-ms-signature`, `Signature <base64>`. */
export function signatureOf(delivery: ReceivedDelivery): Buffer {
  const header = delivery.headers.authorization ?? delivery.headers['x-ms-signature'];
  expect(header).toMatch(/^Signature [A-Za-z0-9+/]+={0,2}$/);
  return Buffer.from(String(header).slice('Signature '.length), 'base64');
}

/**
 * Checks a delivery as a receiver would: the certificate at its `x-ms-certificate-url` (on the
 * server that sent it) chains to the root served at `/webhooks/certificates/root.pem`, names the
 * server's organisation, and its key verifies the signature over the exact bytes. Returns the
 * public key, for checks of altered bodies. `certificatesFrom`: fetch the certificate (its path)
 * and the root from that server instead, as from another replica behind one load balancer.
 */
export async function verifyDelivery(serverUrl: string, delivery: ReceivedDelivery, certificatesFrom = serverUrl) {
  expect(delivery.headers['x-ms-signature-algorithm']).toBe('rsa-sha256');
  const certificateUrl = String(delivery.headers['x-ms-certificate-url']);
  expect(certificateUrl.startsWith(`${serverUrl}/webhooks/certificates/`), certificateUrl).toBe(true);
  const [certificate, root] = await Promise.all([
    fetch(`${certificatesFrom}${new URL(certificateUrl).pathname}`).then(async (response) => {
      expect(response.status, `${certificatesFrom} serves ${certificateUrl}`).toBe(200);
      return new X509Certificate(Buffer.from(await response.arrayBuffer()));
    }),
    fetch(`${certificatesFrom}/webhooks/certificates/root.pem`).then(
      async (response) => new X509Certificate(await response.text()),
    ),
  ]);
  expect(root.ca).toBe(true);
  expect(certificate.checkIssued(root)).toBe(true);
  expect(certificate.verify(root.publicKey)).toBe(true);
  expect(certificate.subject).toContain('O=usagebudget reference server');
  const key = {
    key: createPublicKey(certificate.publicKey.export({ type: 'spki', format: 'pem' })),
    padding: constants.RSA_PKCS1_PADDING,
  };
  expect(verify('sha256', delivery.body, key, signatureOf(delivery)), 'the signature over the exact bytes').toBe(true);
  return key;
}
