import { MOCK_ADMIN_HEADER, MOCK_ADMIN_HEADER_VALUE, MOCK_ADMIN_PATH } from './test-controls/control-surface.js';
import type { ActiveFaultRule, FaultRule } from './test-controls/fault-rules.js';
import type { Journal, JournalEntry, JournalFilter } from './test-controls/journal.js';
import type { Seed } from './test-controls/seed.js';
import type {
  CostIncreaseRequest,
  CostIncreaseResult,
  RaisedWebhookEvent,
  WebhookDelivery,
  WebhookDeliveryFilter,
  WebhookEventRequest,
} from './test-controls/webhook-controls.js';

export { MOCK_ADMIN_PATH };

/**
 * What every request of the test controls carries (send it too when you call them over HTTP
 * yourself): the controls refuse a request without it, which no web page can send to the mock
 * unasked. Any body goes as `application/json`.
 */
export const MOCK_ADMIN_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  [MOCK_ADMIN_HEADER]: MOCK_ADMIN_HEADER_VALUE,
});

/** A test control refused the request: `data` names the fields (or lists the problems) at fault. */
export class MockAdminError extends Error {
  /** `MockAdminError`. */
  override name = 'MockAdminError';
  constructor(
    /** The HTTP status the controls answered. */
    readonly status: number,
    /** The error's `code`, such as `InvalidFaultRule` or `InvalidSeed`. */
    readonly code: string | number | undefined,
    /** The fields at fault (a rule), or every problem (a seed). */
    readonly data: readonly string[],
    message: string,
  ) {
    super(message);
  }
}

/**
 * The test controls of a stateful mock, over HTTP: each method is one request of the controls'
 * OpenAPI document (`@usagebudget/mock/admin-openapi.json`).
 */
export interface MockAdmin {
  /** The controls' base URL: the mock's URL and `/_mock`. */
  readonly url: string;
  /** Adds a fault rule, tried after those in force (`POST /_mock/faults`); a bad rule rejects with a `MockAdminError`. */
  addFault(rule: FaultRule): Promise<ActiveFaultRule>;
  /** The rules in force, in the order they are tried. */
  faults(): Promise<ActiveFaultRule[]>;
  /** Removes one rule; rejects when no rule has this id. */
  removeFault(id: string): Promise<void>;
  /** Removes every rule. */
  clearFaults(): Promise<void>;
  /** The requests received, oldest first, that pass the filter (`GET /_mock/journal`). */
  journal(filter?: JournalFilter): Promise<JournalEntry[]>;
  /** Forgets the requests received so far. */
  clearJournal(): Promise<void>;
  /** Deletes stored data, rules and journal, then applies the seed again. */
  reset(): Promise<void>;
  /** Replaces the seed, then resets; a bad seed rejects with every problem in `data`. */
  seed(seed: Seed): Promise<void>;
  /** The seed in force, as it was given. */
  currentSeed(): Promise<Seed>;
  /**
   * Makes a customer's cost this billing period grow (`POST /_mock/usage`): a cost pushed past its
   * budget raises `usagerecords-thresholdExceeded`, delivered signed to the partner's
   * registration, as a real crossing would.
   */
  increaseCost(request: CostIncreaseRequest): Promise<CostIncreaseResult>;
  /** Raises any event now for a partner registered for it (`POST /_mock/webhooks/events`). */
  raiseWebhookEvent(request: WebhookEventRequest): Promise<RaisedWebhookEvent>;
  /** The events raised, oldest first, each with its delivery attempts (`GET /_mock/webhooks/deliveries`). */
  webhookDeliveries(filter?: WebhookDeliveryFilter): Promise<WebhookDelivery[]>;
}

/** The test controls of the stateful mock at `url` (its base URL, as `startMock` or the bin printed it). */
export function connectMockAdmin(url: string): MockAdmin {
  const base = `${url.replace(/\/+$/, '')}${MOCK_ADMIN_PATH}`;
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${base}${path}`, {
      method,
      ...(body === undefined
        ? { headers: MOCK_ADMIN_HEADERS }
        : { headers: { ...MOCK_ADMIN_HEADERS, 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) {
      const fault = (parsed ?? {}) as { code?: string | number; description?: string; data?: string[] };
      throw new MockAdminError(
        response.status,
        fault.code,
        fault.data ?? [],
        `${method} ${MOCK_ADMIN_PATH}${path}: ${response.status} ${fault.description ?? text}`,
      );
    }
    return parsed;
  };
  return {
    url: base,
    addFault: async (rule) => (await call('POST', '/faults', rule)) as ActiveFaultRule,
    faults: async () => ((await call('GET', '/faults')) as { rules: ActiveFaultRule[] }).rules,
    removeFault: async (id) => {
      await call('DELETE', `/faults/${encodeURIComponent(id)}`);
    },
    clearFaults: async () => {
      await call('DELETE', '/faults');
    },
    journal: async (filter = {}) => {
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(filter)) if (value !== undefined) query.set(name, String(value));
      const search = query.size > 0 ? `?${query}` : '';
      return ((await call('GET', `/journal${search}`)) as Journal).entries as JournalEntry[];
    },
    clearJournal: async () => {
      await call('DELETE', '/journal');
    },
    reset: async () => {
      await call('POST', '/reset');
    },
    seed: async (seed) => {
      await call('PUT', '/seed', seed);
    },
    currentSeed: async () => (await call('GET', '/seed')) as Seed,
    increaseCost: async (request) => (await call('POST', '/usage', request)) as CostIncreaseResult,
    raiseWebhookEvent: async (request) => (await call('POST', '/webhooks/events', request)) as RaisedWebhookEvent,
    webhookDeliveries: async (filter = {}) => {
      const query = new URLSearchParams(Object.entries(filter).filter(([, value]) => value !== undefined));
      const search = query.size > 0 ? `?${query}` : '';
      return ((await call('GET', `/webhooks/deliveries${search}`)) as { deliveries: WebhookDelivery[] }).deliveries;
    },
  };
}
