import { randomUUID } from 'node:crypto';
import { UsageBudgetClient } from '@usagebudget/client';
import { startPrism } from '@usagebudget/mock/prism';
import { demoConfig, demoPartner, randomPartner, startServerProcess } from '@usagebudget/server/testing';

const TARGET_NAMES = ['mock', 'server', 'live'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];
const DEFAULT_TARGETS: readonly TargetName[] = ['mock', 'server'];

/** What a scenario may need from a target beyond answering the documented operations. */
export type Capability =
  | 'prefer'
  | 'state'
  | 'identity'
  | 'foreignCustomer'
  | 'throttle'
  | 'echo'
  | 'paging'
  | 'usage'
  | 'appOnlyToken'
  | 'direct'
  | 'ownPartner';

/** Said in skip reasons: what the capability is and which targets have it. */
export const capabilityMeaning: Readonly<Record<Capability, string>> = {
  prefer: 'answers the response a Prefer header names (the mock only)',
  state: 'keeps budgets and may be written (server; live with CONTRACT_LIVE_WRITES=1)',
  identity: 'knows real tokens and customers (server, live)',
  foreignCustomer: 'has a customer of another partner (server; live with CONTRACT_LIVE_FOREIGN_CUSTOMER_ID)',
  throttle: 'can be made to throttle a partner (server)',
  echo: 'echoes the MS-RequestId and MS-CorrelationId it is sent (server, live)',
  paging: 'lists a partner whose every customer it knows over several pages (server)',
  usage: 'has a partner whose customers have usage, and its app+user token (server: the demo partner; live)',
  appOnlyToken:
    "has an app-only token of that partner (server: the demo partner's; live with CONTRACT_LIVE_APP_ONLY_TOKEN)",
  direct: 'can be called without Prism in between, for requests Prism stops and bodies it rewrites (server, live)',
  ownPartner:
    'gives a scenario a partner no other scenario uses, with two customers and no webhook registration (server)',
};

/** A running API the scenarios call, always through Prism (mock, or proxy with `--errors`). */
export interface Target {
  readonly name: string;
  readonly baseURL: string;
  /** A token of the partner whose customers `customerId()` returns. */
  readonly token: string;
  readonly capabilities: ReadonlySet<Capability>;
  /** A customer of the token's partner that one scenario may read and write. */
  customerId(): string;
  /** With `foreignCustomer`: a customer of another partner. */
  readonly foreignCustomerId?: string;
  /** With `paging`: every customer of the token's partner, more than one page of them. */
  readonly customers?: readonly string[];
  /**
   * With `usage`: an app+user token of a partner whose customers have usage, and one of its
   * customers; with `appOnlyToken`, an app-only token of that partner too.
   */
  readonly usage?: { readonly token: string; readonly customerId: string; readonly appOnlyToken?: string };
  /**
   * With `direct`: the API itself, without Prism: for requests Prism would stop before the service
   * sees them, and for costs, whose digits Prism's proxy loses when it writes a body again.
   */
  readonly directURL?: string;
  /**
   * With `webhooks`: the token of a partner no other scenario uses, without a webhook registration
   * (a registration cannot be deleted, so each scenario that registers takes a new partner).
   */
  ownPartner?(): string;
  /** With `throttle`: a partner whose rate limit `exhaust()` uses up. */
  readonly throttled?: { readonly token: string; readonly customerId: string; exhaust(): Promise<void> };
  stop(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The targets `CONTRACT_TARGET` (comma-separated) names; `mock,server` when unset. */
export function selectedTargets(env: Env): TargetName[] {
  const value = env.CONTRACT_TARGET?.trim();
  if (!value) return [...DEFAULT_TARGETS];
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(TARGET_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(`CONTRACT_TARGET: unknown target ${unknown.join(', ')}; use ${TARGET_NAMES.join(', ')}`);
  }
  return names as TargetName[];
}

export interface LiveSettings {
  readonly baseURL: string;
  readonly token: string;
  readonly customerId: string;
  readonly foreignCustomerId: string | undefined;
  readonly appOnlyToken: string | undefined;
  readonly writes: boolean;
}

const LIVE_REQUIRED = ['CONTRACT_LIVE_BASE_URL', 'CONTRACT_LIVE_TOKEN', 'CONTRACT_LIVE_CUSTOMER_ID'] as const;

/** The live API's settings, or the names of the variables that are missing. */
function liveSettings(env: Env): LiveSettings | { missing: string[] } {
  const missing = LIVE_REQUIRED.filter((name) => !env[name]);
  if (missing.length > 0) return { missing };
  return {
    baseURL: env.CONTRACT_LIVE_BASE_URL as string,
    token: env.CONTRACT_LIVE_TOKEN as string,
    customerId: env.CONTRACT_LIVE_CUSTOMER_ID as string,
    foreignCustomerId: env.CONTRACT_LIVE_FOREIGN_CUSTOMER_ID || undefined,
    appOnlyToken: env.CONTRACT_LIVE_APP_ONLY_TOKEN || undefined,
    writes: env.CONTRACT_LIVE_WRITES === '1',
  };
}

/** Why `name` does not run with this environment, in one line; undefined when it runs. */
export function targetSkipReason(name: TargetName, env: Env): string | undefined {
  if (!selectedTargets(env).includes(name)) {
    return env.CONTRACT_TARGET?.trim()
      ? `CONTRACT_TARGET=${env.CONTRACT_TARGET} does not name it`
      : `not a default target; set CONTRACT_TARGET=${name}`;
  }
  if (name !== 'live') return undefined;
  const settings = liveSettings(env);
  return 'missing' in settings ? `set ${settings.missing.join(', ')} to call a Partner Center account` : undefined;
}

const MOCK_CAPABILITIES: ReadonlySet<Capability> = new Set(['prefer']);
const SERVER_CAPABILITIES: ReadonlySet<Capability> = new Set([
  'state',
  'identity',
  'foreignCustomer',
  'throttle',
  'echo',
  'paging',
  'usage',
  'appOnlyToken',
  'direct',
  'ownPartner',
]);

/** What the target can do, known before it starts (so skipped scenarios are known when tests are collected). */
export function targetCapabilities(name: TargetName, env: Env): ReadonlySet<Capability> {
  if (name === 'mock') return MOCK_CAPABILITIES;
  if (name === 'server') return SERVER_CAPABILITIES;
  const settings = liveSettings(env);
  const capabilities = new Set<Capability>(['identity', 'echo', 'usage', 'direct']);
  if ('missing' in settings) return capabilities;
  if (settings.writes) capabilities.add('state');
  if (settings.foreignCustomerId) capabilities.add('foreignCustomer');
  if (settings.appOnlyToken) capabilities.add('appOnlyToken');
  return capabilities;
}

export function startTarget(name: TargetName, env: Env): Promise<Target> {
  if (name === 'mock') return startMockTarget();
  if (name === 'server') return startServerTarget();
  const settings = liveSettings(env);
  if ('missing' in settings) throw new Error(`live target: ${targetSkipReason('live', env)}`);
  return startLiveTarget(settings, targetCapabilities('live', env));
}

/** Prism mocking the spec (the bundled one, or `specFile`). */
export async function startMockTarget(specFile?: string): Promise<Target> {
  const prism = await startPrism({ mode: 'mock', ...(specFile ? { spec: specFile } : {}) });
  return {
    name: 'mock',
    baseURL: prism.url,
    // Prism checks only that a bearer token is there.
    token: 'contract-tests-token',
    capabilities: MOCK_CAPABILITIES,
    customerId: () => randomUUID(),
    stop: async () => {
      await prism.stop();
    },
  };
}

// Each stateful scenario writes a customer of its own, so their order does not matter. The paging
// scenarios list them all, several pages of them.
const SERVER_CUSTOMERS = 32;
// Throttling is one setting for every partner. The main partner's scenarios send several dozen
// requests in all, and the demo partner's a few, below the burst; the throttled partner spends its
// burst in `exhaust()`, and at this rate it stays throttled for minutes.
const SERVER_THROTTLE = { requestsPerSecond: 0.01, burst: 200 };
// The partners scenarios take for their own (`ownPartner()`, the webhook scenarios mostly): raise it
// when such a scenario is added.
const SERVER_OWN_PARTNERS = 40;
// The demo partner's app-only token (issue 13's server fixture): the usage reads refuse it.
const demoAppOnlyToken = (demoPartner as { appOnlyToken?: string }).appOnlyToken;

/**
 * The reference server as a real process (`:memory:` database) behind `prism proxy --errors`,
 * with partners of the tests' own and the demo partner, whose seeded portfolio has usage.
 */
async function startServerTarget(): Promise<Target> {
  const main = randomPartner('Contract tests partner', SERVER_CUSTOMERS);
  const other = randomPartner('Another partner');
  const throttled = randomPartner('Throttled partner');
  const ownPartners = Array.from({ length: SERVER_OWN_PARTNERS }, (_, index) =>
    randomPartner(`Partner of one scenario ${index + 1}`, 2),
  );
  const server = await startServerProcess({
    config: {
      partners: [main, other, throttled, ...ownPartners, ...demoConfig.partners],
      throttle: SERVER_THROTTLE,
    },
    db: ':memory:',
  });
  const upstream = server.url;
  let prism: Awaited<ReturnType<typeof startPrism>>;
  try {
    prism = await startPrism({ mode: 'proxy', upstream });
  } catch (error) {
    await server.stop();
    throw error;
  }
  const customers = [...main.customers];
  const throttledCustomer = throttled.customers[0] as string;
  const throttledToken = throttled.tokens[0] as string;
  return {
    name: 'server',
    baseURL: prism.url,
    token: main.tokens[0] as string,
    capabilities: SERVER_CAPABILITIES,
    customerId: () => {
      const next = customers.shift();
      if (!next) throw new Error(`the server target has only ${SERVER_CUSTOMERS} customers; raise SERVER_CUSTOMERS`);
      return next;
    },
    foreignCustomerId: other.customers[0] as string,
    customers: main.customers,
    ownPartner: () => {
      const next = ownPartners.shift();
      if (!next)
        throw new Error(
          `the server target has only ${SERVER_OWN_PARTNERS} partners of their own for scenarios; raise it`,
        );
      return next.tokens[0] as string;
    },
    usage: {
      token: demoPartner.token,
      customerId: demoPartner.customerId,
      ...(demoAppOnlyToken ? { appOnlyToken: demoAppOnlyToken } : {}),
    },
    directURL: upstream,
    throttled: {
      token: throttledToken,
      customerId: throttledCustomer,
      // Straight to the server: only the call a scenario then makes needs to pass through Prism.
      exhaust: async () => {
        for (let sent = 0; sent <= SERVER_THROTTLE.burst; sent++) {
          const response = await fetch(`${upstream}/v1/customers/${throttledCustomer}/usagebudget`, {
            headers: { Authorization: `Bearer ${throttledToken}` },
          });
          await response.arrayBuffer();
          if (response.status === 429) return;
        }
        throw new Error(`the server did not throttle after ${SERVER_THROTTLE.burst + 1} requests`);
      },
    },
    stop: async () => {
      await Promise.all([prism.stop(), server.stop()]);
    },
  };
}

/**
 * A Partner Center account behind `prism proxy --errors`. With writes allowed, the budget found
 * at the start is put back when the target stops.
 */
async function startLiveTarget(settings: LiveSettings, capabilities: ReadonlySet<Capability>): Promise<Target> {
  const prism = await startPrism({ mode: 'proxy', upstream: settings.baseURL });
  const client = new UsageBudgetClient({ baseURL: prism.url, credential: settings.token });
  let original: number | null | undefined;
  try {
    if (settings.writes) original = (await client.getBudget(settings.customerId)).amount ?? null;
  } catch (error) {
    await prism.stop();
    throw error;
  }
  return {
    name: 'live',
    baseURL: prism.url,
    token: settings.token,
    capabilities,
    customerId: () => settings.customerId,
    ...(settings.foreignCustomerId ? { foreignCustomerId: settings.foreignCustomerId } : {}),
    usage: {
      token: settings.token,
      customerId: settings.customerId,
      ...(settings.appOnlyToken ? { appOnlyToken: settings.appOnlyToken } : {}),
    },
    directURL: settings.baseURL,
    stop: async () => {
      try {
        if (original === null) await client.clearBudget(settings.customerId);
        else if (original !== undefined) await client.setBudget(settings.customerId, original);
      } finally {
        await prism.stop();
      }
    },
  };
}
