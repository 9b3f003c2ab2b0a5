// Verifications per second of a webhook delivery with `@usagebudget/client/webhooks` (a verifier
// whose certificate is cached: every check but the fetch, the replay guard included) against
// `crypto.verify` alone over the same bytes with the same key: what the SDK's checks cost on top
// of the RSA verification itself. The delivery is a real one: a test event the reference server
// signs and sends to a receiver on loopback.
import { constants, type KeyObject, verify, X509Certificate } from 'node:crypto';
import { UsageBudgetClient } from '@usagebudget/client';
import { createWebhookVerifier, memoryReplayGuard, type ReplayGuard } from '@usagebudget/client/webhooks';
import { randomPartner, startServerProcess, startWebhookReceiver } from '@usagebudget/server/testing';
import { type Check, check, median, pairedRatio } from './stats.js';

export interface WebhookVerifySettings {
  /** Measured rounds (interleaved: the SDK, then crypto.verify), after one discarded warm-up round. */
  readonly rounds: number;
  readonly verificationsPerRound: number;
}

export interface WebhookVerifyFigures {
  readonly settings: WebhookVerifySettings;
  /** Verifications per second of CPU time, one figure per round. */
  readonly sdkPerSecond: readonly number[];
  readonly cryptoPerSecond: readonly number[];
  readonly medianSdkPerSecond: number;
  readonly medianCryptoPerSecond: number;
  /** Median of the per-round ratios SDK ÷ crypto.verify. */
  readonly ratio: number;
}

/** A signed delivery from the reference server, and the key its certificate holds. */
async function realDelivery() {
  const partner = randomPartner('Webhook bench partner', 0);
  const receiver = await startWebhookReceiver();
  const server = await startServerProcess({ config: { partners: [partner] }, args: ['--no-access-log'] });
  try {
    const client = new UsageBudgetClient({ baseURL: server.url, credential: partner.tokens[0] as string });
    await client.createWebhookRegistration({ webhookUrl: receiver.url, webhookEvents: ['test-created'] });
    await client.sendWebhookTestEvent();
    const [delivery] = await receiver.waitFor(1);
    if (!delivery) throw new Error('no delivery');
    const certificateUrl = String(delivery.headers['x-ms-certificate-url']);
    const [rootPem, certificateDer] = await Promise.all([
      fetch(`${server.url}/webhooks/certificates/root.pem`).then((response) => response.text()),
      fetch(certificateUrl).then(async (response) => new Uint8Array(await response.arrayBuffer())),
    ]);
    const trust = {
      roots: [rootPem],
      certificateHosts: [new URL(server.url).host],
      certificatePathPrefix: '/webhooks/certificates/',
      allowHttp: true,
      organisation: 'usagebudget reference server',
    };
    const signature = Buffer.from(String(delivery.headers.authorization).replace(/^Signature /, ''), 'base64');
    return { delivery, trust, certificateDer, publicKey: new X509Certificate(certificateDer).publicKey, signature };
  } finally {
    await Promise.all([server.stop(), receiver.close()]);
  }
}

/** The default guard's work on every delivery (hash, look-up, insert), forgetting each so the same delivery verifies again. */
function forgettingGuard(): ReplayGuard {
  const inner = memoryReplayGuard();
  return {
    check: (key, now) => {
      const fresh = inner.check(key, now);
      inner.forget(key);
      return fresh;
    },
    forget: (key) => inner.forget(key),
  };
}

/**
 * Verifications per second of this process's CPU time (user and system): what other processes on
 * the machine disturb least, as the client's per-call figures are measured.
 */
async function perSecond(count: number, once: () => unknown): Promise<number> {
  const started = process.cpuUsage();
  for (let index = 0; index < count; index++) await once();
  const { user, system } = process.cpuUsage(started);
  return count / ((user + system) / 1e6);
}

/** Measures the SDK's verifier against `crypto.verify` alone, rounds interleaved. */
export async function measureWebhookVerification(
  settings: WebhookVerifySettings,
  progress: (line: string) => void,
): Promise<WebhookVerifyFigures> {
  progress('webhook verification: a delivery from the reference server');
  const { delivery, trust, certificateDer, publicKey, signature } = await realDelivery();
  // The certificate as the server served it, from memory: the figure is the cached path's.
  const verifier = createWebhookVerifier({
    trust,
    replayGuard: forgettingGuard(),
    fetchCertificate: async () => certificateDer,
  });
  const input = { body: delivery.body, headers: delivery.headers };
  const key: { key: KeyObject; padding: number } = { key: publicKey, padding: constants.RSA_PKCS1_PADDING };
  const sdkPerSecond: number[] = [];
  const cryptoPerSecond: number[] = [];
  for (let round = 0; round <= settings.rounds; round++) {
    const sdk = await perSecond(settings.verificationsPerRound, () => verifier.verify(input));
    const alone = await perSecond(settings.verificationsPerRound, () => {
      if (!verify('sha256', delivery.body, key, signature)) throw new Error('crypto.verify refused the delivery');
    });
    if (round === 0) continue; // warm-up
    sdkPerSecond.push(sdk);
    cryptoPerSecond.push(alone);
  }
  return {
    settings,
    sdkPerSecond,
    cryptoPerSecond,
    medianSdkPerSecond: median(sdkPerSecond),
    medianCryptoPerSecond: median(cryptoPerSecond),
    ratio: pairedRatio(sdkPerSecond, cryptoPerSecond),
  };
}

/** The target: the SDK verifies at least 0.8 times as many deliveries a second as crypto.verify alone. */
export function webhookVerifyCheck({ ratio }: WebhookVerifyFigures): Check {
  return check(
    'webhook verifications per second, cached certificate, vs crypto.verify alone',
    ratio,
    'x',
    'at least',
    0.8,
  );
}
