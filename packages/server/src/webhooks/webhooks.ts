// The server's webhooks, put together: the registration operations, the budget threshold, the
// raising of events into the outbox, the deliverer, and the certificates the server serves.
// `startServer` makes one per server and starts delivering once it listens.

import { X509Certificate } from 'node:crypto';
import type { WebhookLogEntry } from '../http/access-log.js';
import type { Operation } from '../http/operation.js';
import type { StaticFile } from '../http/static-routes.js';
import { certificateSecretName } from '../storage/secret-store.js';
import type { Store } from '../storage/store.js';
import { DEFAULT_DELIVERY_SCHEDULE, type DeliverySchedule, type Dispatcher, startDispatcher } from './dispatcher.js';
import { createEventRaiser, type EventRaiser } from './event-raiser.js';
import { registrationOperations } from './registration-operations.js';
import { WEBHOOK_SIGNING_ORGANIZATION, type WebhookSigningKeys } from './signing-keys.js';
import { createTargetPolicy, DEFAULT_WEBHOOK_ALLOW } from './target-policy.js';
import { createTestEventThrottle } from './test-event-throttle.js';
import { createThresholdWatch, type ThresholdWatch } from './threshold-watch.js';

/** Where the server serves its certificates. */
export const CERTIFICATES_PATH = '/webhooks/certificates';
/** The test root's path: reference server (and mock) only. */
export const ROOT_CERTIFICATE_PATH = `${CERTIFICATES_PATH}/root.pem`;

/** How a server's webhooks behave: where they may go, and how deliveries are paced. */
export interface WebhookOptions {
  /** The allow-list of receivers: `loopback`, `HOST` or `HOST:PORT` entries. Default `['loopback']`. */
  readonly allow?: readonly string[];
  /** Overrides of the delivery schedule (tests shorten the waits). */
  readonly schedule?: Partial<DeliverySchedule>;
}

/** What a receiver under test trusts instead of Partner Center's certificate: the server's test root, host and organisation. */
export interface WebhookTrust {
  /** The test root, PEM. */
  readonly rootCertificate: string;
  /** The organisation of the signing certificate's subject (`O=`). */
  readonly organization: string;
  /** Where the signing certificate is served: the `x-ms-certificate-url` of every event. */
  readonly certificateUrl: string;
  /** Where the test root is served. */
  readonly rootUrl: string;
}

export interface Webhooks {
  readonly operations: Readonly<Record<string, Operation>>;
  readonly thresholds: ThresholdWatch;
  readonly raiser: EventRaiser;
  /** The certificates, by path, for the server's static routes. */
  readonly files: ReadonlyMap<string, StaticFile>;
  /** A signing certificate another server (replica) signs with, read from the database by its path. */
  findCertificate(path: string): Promise<StaticFile | undefined> | undefined;
  trust(): WebhookTrust;
  /** Starts delivering (once the server's URL is known). */
  start(): void;
  /** Forgets the test events' throttle: a reset. */
  reset(): void;
  close(): Promise<void>;
}

export interface WebhookParts {
  readonly store: Store;
  readonly keys: WebhookSigningKeys;
  readonly options: WebhookOptions;
  /** The server's public URL, the base of every URI an event carries; known once it listens. */
  readonly baseUrl: () => string;
  readonly log?: ((entry: WebhookLogEntry) => void) | undefined;
  readonly fault: (error: unknown) => void;
}

const staticFile = (contentType: string, body: Buffer): StaticFile => ({ contentType, body: () => body });
const SIGNING_CERTIFICATE_PATH = new RegExp(`^${CERTIFICATES_PATH}/(signing-[0-9a-f]{16}\\.cer)$`);
const CERTIFICATE_TYPE = 'application/pkix-cert';

export function createWebhooks(parts: WebhookParts): Webhooks {
  const { store, keys, baseUrl } = parts;
  const policy = createTargetPolicy(parts.options.allow ?? DEFAULT_WEBHOOK_ALLOW);
  const schedule = { ...DEFAULT_DELIVERY_SCHEDULE, ...parts.options.schedule };
  const throttle = createTestEventThrottle();
  let dispatcher: Dispatcher | undefined;
  let watch: { stop(): Promise<void> } | undefined;
  const raiser = createEventRaiser(() => dispatcher?.wake());
  const certificatePath = `${CERTIFICATES_PATH}/${keys.certificateName}`;
  const certificateUrl = () => `${baseUrl()}${certificatePath}`;
  return {
    operations: registrationOperations({ store, raiser, policy, throttle, baseUrl }),
    thresholds: createThresholdWatch(raiser, () => `${baseUrl()}/v1/customers/usagerecords`),
    raiser,
    files: new Map([
      [ROOT_CERTIFICATE_PATH, staticFile('application/x-pem-file', Buffer.from(keys.rootPem))],
      [certificatePath, staticFile(CERTIFICATE_TYPE, keys.certificateDer)],
    ]),
    findCertificate: (path) => {
      const name = SIGNING_CERTIFICATE_PATH.exec(path)?.[1];
      if (name === undefined) return undefined;
      return store
        .secret(certificateSecretName(name))
        .then((pem) => (pem === undefined ? undefined : staticFile(CERTIFICATE_TYPE, new X509Certificate(pem).raw)));
    },
    trust: () => ({
      rootCertificate: keys.rootPem,
      organization: WEBHOOK_SIGNING_ORGANIZATION,
      certificateUrl: certificateUrl(),
      rootUrl: `${baseUrl()}${ROOT_CERTIFICATE_PATH}`,
    }),
    start() {
      if (dispatcher) return;
      dispatcher = startDispatcher({
        store,
        keys,
        policy,
        schedule,
        certificateUrl,
        log: parts.log,
        fault: parts.fault,
      });
      // Events other replicas enqueue: any replica may deliver them.
      watch = store.watchWebhookEvents(() => dispatcher?.wake());
    },
    reset: () => throttle.clear(),
    close: async () => {
      await watch?.stop();
      await dispatcher?.close();
    },
  };
}
