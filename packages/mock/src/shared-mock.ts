// The shared mode: no process of its own, but a namespace on a shared reference server (its admin
// API, `/_admin/namespaces`): a throwaway partner with its own tenant id, tokens and customers,
// which no other CI job sees, deleted by `close()` and expired by the server otherwise.
import { MockAdminError } from './admin.js';
import type { SharedMockOptions } from './mock-options.js';
import { seedFrom } from './seed-file.js';
import type { Seed } from './test-controls/seed.js';

/** Where a shared mock reads the server's admin token when `shared.adminToken` is not given. */
export const SHARED_ADMIN_TOKEN_ENV = 'USAGEBUDGET_ADMIN_TOKEN';
/** The partner fields a namespace takes from the seed; its id and tokens are the server's to make. */
const NAMESPACE_FIELDS = ['customers', 'generatedCustomers', 'billingPeriod', 'currencyLocale'] as const;
/** The options only a mock of its own has: a shared mock has no process, listener, log or controls. */
const OWN_PROCESS_OPTIONS = ['mode', 'host', 'port', 'accessLog', 'journalMaxBytes', 'allowedHosts', 'webhooks'];

/** The namespace the admin API made. */
interface CreatedNamespace {
  readonly id: string;
  readonly name: string;
  readonly tokens: readonly { token: string; kind: 'app+user' | 'app-only' }[];
  readonly customers: readonly string[];
  readonly expiresAt: string;
}

/** The test controls a shared mock has: its namespace's reset, nothing that would reach other jobs. */
export interface SharedMockAdmin {
  /**
   * Starts the namespace again from the seed (`POST /_admin/namespaces/{id}/reset`): its budgets,
   * replay records, webhook registration and events deleted, its customers seeded again; its
   * tenant id and tokens stay. Other namespaces are not touched.
   */
  reset(): Promise<void>;
}

/** A namespace on a shared reference server, used as a mock. */
export interface SharedNamespace {
  readonly id: string;
  /** date-time: when the server deletes it unless `close()` did first. */
  readonly expiresAt: string;
}

/** The seed's one partner, as a namespace is made from it; the demo partner's customers without a seed. */
async function namespaceShape(seed: Seed | string | undefined): Promise<Record<string, unknown>> {
  const { value, source } = await seedFrom(seed);
  let given = value;
  if (given === undefined) given = (await import('@usagebudget/server/testing')).demoConfig;
  const partners = (given as { partners?: unknown }).partners;
  if (!Array.isArray(partners) || partners.length !== 1 || typeof partners[0] !== 'object' || partners[0] === null) {
    throw new Error(
      `${source}: a shared mock is one namespace, one partner: give a seed with exactly one partner (its id and tokens are made by the server)`,
    );
  }
  const partner = partners[0] as Record<string, unknown>;
  return Object.fromEntries(
    NAMESPACE_FIELDS.filter((field) => field in partner).map((field) => [field, partner[field]]),
  );
}

/** Calls the shared server's admin API; an error answer rejects with a `MockAdminError` naming every problem. */
function adminClient(url: string, adminToken: string) {
  return async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${url}/_admin${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) {
      let fault: { code?: string; description?: string; data?: string[] } = {};
      try {
        fault = JSON.parse(text) as typeof fault;
      } catch {}
      const hint =
        response.status === 404 && path === '/namespaces'
          ? ' (is the admin API on? start the server with --admin-token)'
          : '';
      throw new MockAdminError(
        response.status,
        fault.code,
        fault.data ?? [],
        `${method} /_admin${path}: ${response.status} ${fault.description ?? text}${hint}`,
      );
    }
    return text === '' ? undefined : JSON.parse(text);
  };
}

/** Makes a namespace on the shared server from the seed; the mock's `close()` deletes it. */
export async function startShared(options: SharedMockOptions) {
  const refused = OWN_PROCESS_OPTIONS.filter((option) => option in options && option !== 'mode');
  if (refused.length > 0) {
    throw new Error(
      `startMock: a shared mock uses the shared server's process; ${refused.join(', ')} need${refused.length > 1 ? '' : 's'} a mock of its own`,
    );
  }
  const { shared } = options;
  if (!/^https?:\/\/[^/?#]+\/?$/.test(shared.url)) {
    throw new Error(
      `startMock: shared.url must be the server's base URL, such as http://HOST:PORT (got ${JSON.stringify(shared.url)})`,
    );
  }
  const url = shared.url.replace(/\/+$/, '');
  const adminToken = shared.adminToken ?? process.env[SHARED_ADMIN_TOKEN_ENV];
  if (!adminToken) {
    throw new Error(
      `startMock: a shared mock needs the server's admin token: shared.adminToken, or $${SHARED_ADMIN_TOKEN_ENV}`,
    );
  }
  const shape = await namespaceShape(options.seed);
  const call = adminClient(url, adminToken);
  const created = (await call('POST', '/namespaces', {
    ...shape,
    ...(shared.name === undefined ? {} : { name: shared.name }),
    ...(shared.ttlSeconds === undefined ? {} : { ttlSeconds: shared.ttlSeconds }),
  })) as CreatedNamespace;
  const tokenOf = (kind: 'app+user' | 'app-only') => created.tokens.find((token) => token.kind === kind)?.token ?? '';
  const path = `/namespaces/${created.id}`;
  const reset = {
    customers: shape.customers ?? [],
    ...('generatedCustomers' in shape ? { generatedCustomers: shape.generatedCustomers } : {}),
  };
  let closed: Promise<void> | undefined;
  return {
    mode: 'shared' as const,
    url,
    token: tokenOf('app+user'),
    appOnlyToken: tokenOf('app-only'),
    partner: { id: created.id, name: created.name },
    customers: created.customers,
    namespace: { id: created.id, expiresAt: created.expiresAt },
    admin: {
      reset: async () => {
        await call('POST', `${path}/reset`, reset);
      },
    } satisfies SharedMockAdmin,
    close: () => {
      closed ??= call('DELETE', path).then(
        () => undefined,
        (error: unknown) => {
          // Gone already (expired and swept): nothing left to delete.
          if (!(error instanceof MockAdminError && error.status === 404)) throw error;
        },
      );
      return closed;
    },
  };
}
