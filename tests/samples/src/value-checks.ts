// What an operation's samples must print, beyond what every sample is checked for (see
// test/operation-samples.test.ts): before each sample the test puts the server in a state no
// sample could guess (and may give the sample a partner of its own, or a value to read), and
// afterwards each sample's output must show the values the server holds.
// An operation without an entry here gets the checks every sample gets.
import { randomInt, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { NotFoundError, UsageBudgetClient, type WebhookRegistration } from '@usagebudget/client';
import type { SampleEnvironment } from './sample-environment.js';

/** A client of the partner of `token` (the demo partner's by default) on the environment's server, as the samples are configured. */
function demoClient({ env }: SampleEnvironment, token = env.PARTNER_CENTER_TOKEN ?? ''): UsageBudgetClient {
  return new UsageBudgetClient({ baseURL: env.PARTNER_CENTER_BASE_URL, credential: token });
}

/** The demo customer's budget on the environment's server, read and written through the client. */
export function demoBudget(environment: SampleEnvironment) {
  const client = demoClient(environment);
  const customer = environment.env.CUSTOMER_TENANT_ID ?? '';
  return {
    async amount(): Promise<number | null> {
      return (await client.getBudget(customer)).amount ?? null;
    },
    async set(amount: number | null): Promise<void> {
      await (amount === null ? client.clearBudget(customer) : client.setBudget(customer, amount));
    },
  };
}

/**
 * What a sample's output must show: a number among the numbers it prints (`250.50` shows 250.5),
 * or a text it contains (an id, a currency).
 */
export type Shown = number | string;

/** What the test arranged for one sample. */
export interface Arranged {
  /** Added to the sample's environment: a partner of its own (`PARTNER_CENTER_TOKEN`), a value it reads. */
  readonly env?: NodeJS.ProcessEnv;
  /** After the sample: checks the server's state and returns the values the sample's output must show. */
  readonly shown: () => Promise<readonly Shown[]>;
}

export interface ValueCheck {
  /** Runs before each sample of the operation. */
  arrange(environment: SampleEnvironment): Promise<Arranged>;
}

/** An amount with two decimals, the last one not 0, so `1234.57` reads the same in every output. */
function unguessableAmount(): number {
  const cents = randomInt(0, 10) * 10 + randomInt(1, 10);
  return Number(`${randomInt(1, 1_000_000)}.${String(cents).padStart(2, '0')}`);
}

/**
 * A partner no sample has used (no registration, no test event: a sample that creates one, or
 * sends test events, 2 a minute, starts clean), its client, and the environment that makes a
 * sample that partner.
 */
function freshPartner(environment: SampleEnvironment) {
  const token = environment.freshPartnerToken();
  return { client: demoClient(environment, token), env: { PARTNER_CENTER_TOKEN: token } };
}

/** A URL of the environment's receiver no sample could guess: a path of its own. */
function unguessableReceiverUrl(environment: SampleEnvironment): string {
  return `${environment.receiver.url}/${randomUUID()}`;
}

/** Polls `read` until `done` holds of what it returns, for at most 10 s (a delivery on a busy machine). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() >= deadline) throw new Error(`${what} within 10 s: ${JSON.stringify(value)}`);
    await sleep(50);
  }
}

/**
 * The correlation IDs of the test events the receiver got since delivery `since` that `client`'s
 * partner sent: read from each `test-created` body's `ResourceUri`, kept when the partner can read
 * that test event (another partner's is a 404 to it).
 */
async function testEventsReceived(
  environment: SampleEnvironment,
  client: UsageBudgetClient,
  since: number,
): Promise<string[]> {
  const ids = environment.receiver.deliveries.slice(since).flatMap(({ body }) => {
    const event = JSON.parse(body.toString('utf8')) as { EventName?: string; ResourceUri?: string };
    const id = event.ResourceUri?.split('/').at(-1);
    return event.EventName === 'test-created' && id ? [id] : [];
  });
  const own = await Promise.all(
    ids.map((id) =>
      client.getWebhookTestEvent(id).then(
        () => id,
        (error: unknown) => {
          if (error instanceof NotFoundError) return undefined;
          throw error;
        },
      ),
    ),
  );
  return own.filter((id) => id !== undefined);
}

/** `count` distinct events the server offers, at random. */
async function someEvents(client: UsageBudgetClient, count: number): Promise<string[]> {
  const offered = await client.listWebhookEvents();
  return Array.from({ length: count }, () => offered.splice(randomInt(offered.length), 1)[0] as string);
}

/** Registers a fresh partner's receiver, at a URL of its own, for `webhookEvents`. */
async function registeredPartner(environment: SampleEnvironment, webhookEvents: string[]) {
  const partner = freshPartner(environment);
  const registration = await partner.client.createWebhookRegistration({
    webhookUrl: unguessableReceiverUrl(environment),
    webhookEvents,
  });
  return { ...partner, registration };
}

/**
 * A sample that registers `WEBHOOK_URL` as `partner`, given a URL of its own: afterwards the
 * partner's registration must send there, and the output must show what `shown` picks of it.
 */
function registersWebhookUrl(
  environment: SampleEnvironment,
  partner: ReturnType<typeof freshPartner>,
  shown: (held: WebhookRegistration) => Shown[],
): Arranged {
  const webhookUrl = unguessableReceiverUrl(environment);
  return {
    env: { ...partner.env, WEBHOOK_URL: webhookUrl },
    shown: async () => {
      const held = await partner.client.getWebhookRegistration();
      if (held.webhookUrl !== webhookUrl) {
        throw new Error(`the partner's registration sends to ${held.webhookUrl}, not to WEBHOOK_URL ${webhookUrl}`);
      }
      return shown(held);
    },
  };
}

/** The webhook operations': each sample but listWebhookEvents' is a fresh partner's (see freshPartner). */
const webhookValueChecks: Readonly<Record<string, ValueCheck>> = {
  listWebhookEvents: {
    // Every event the server offers.
    async arrange(environment) {
      return { shown: () => demoClient(environment).listWebhookEvents() };
    },
  },
  getWebhookRegistration: {
    // A registration at a URL of its own, for two events at random: its URL and events.
    async arrange(environment) {
      const { client, env, registration } = await registeredPartner(
        environment,
        await someEvents(demoClient(environment), 2),
      );
      return {
        env,
        shown: async () => {
          const held = await client.getWebhookRegistration();
          const { webhookUrl, webhookEvents } = registration;
          if (held.webhookUrl !== webhookUrl || held.webhookEvents.join() !== webhookEvents.join()) {
            throw new Error(`reading the registration changed it: ${JSON.stringify(held)}`);
          }
          return [held.webhookUrl, ...held.webhookEvents];
        },
      };
    },
  },
  createWebhookRegistration: {
    // No registration yet: the subscriber ID and URL of the one then held.
    async arrange(environment) {
      return registersWebhookUrl(environment, freshPartner(environment), (held) => {
        if (!held.subscriberId) throw new Error(`the registration has no subscriberId: ${JSON.stringify(held)}`);
        return [held.subscriberId, held.webhookUrl];
      });
    },
  },
  updateWebhookRegistration: {
    // A registration for test-created alone at another URL: the URL and events then held.
    async arrange(environment) {
      const partner = await registeredPartner(environment, ['test-created']);
      return registersWebhookUrl(environment, partner, (held) => [held.webhookUrl, ...held.webhookEvents]);
    },
  },
  createWebhookValidationEvent: {
    // A registration for test-created: the correlation ID of the test event the receiver then got.
    async arrange(environment) {
      const { client, env } = await registeredPartner(environment, ['test-created']);
      const since = environment.receiver.deliveries.length;
      return {
        env,
        shown: async () => {
          const received = await eventually(
            () => testEventsReceived(environment, client, since),
            (ids) => ids.length > 0,
            'the receiver got no test event of the partner',
          );
          if (received.length !== 1) throw new Error(`the sample sent ${received.length} test events`);
          return received;
        },
      };
    },
  },
  getWebhookValidationEvent: {
    // A test event sent and delivered, as CORRELATION_ID: its status, receiver and first attempt's time.
    async arrange(environment) {
      const { client, env, registration } = await registeredPartner(environment, ['test-created']);
      const { correlationId } = await client.sendWebhookTestEvent();
      const delivered = await eventually(
        () => client.getWebhookTestEvent(correlationId),
        ({ status }) => status !== 'pending',
        'the test event was still pending',
      );
      if (delivered.status !== 'completed' || delivered.callbackUrl !== registration.webhookUrl) {
        throw new Error(`the test event was not delivered to the receiver: ${JSON.stringify(delivered)}`);
      }
      return {
        env: { ...env, CORRELATION_ID: correlationId },
        shown: async () => {
          const held = await client.getWebhookTestEvent(correlationId);
          if (JSON.stringify(held) !== JSON.stringify(delivered)) {
            throw new Error(`reading the test event changed it: ${JSON.stringify(held)}`);
          }
          return [held.status, held.callbackUrl, ...held.results.map(({ dateTimeUtc }) => dateTimeUtc)];
        },
      };
    },
  },
};

export const valueChecks: Readonly<Record<string, ValueCheck>> = {
  getUsageBudget: {
    async arrange(environment) {
      const budget = demoBudget(environment);
      const amount = unguessableAmount();
      await budget.set(amount);
      return {
        shown: async () => {
          if ((await budget.amount()) !== amount) throw new Error('reading the budget changed it');
          return [amount];
        },
      };
    },
  },
  updateUsageBudget: {
    async arrange(environment) {
      const budget = demoBudget(environment);
      await budget.set(null);
      return {
        shown: async () => {
          const amount = await budget.amount();
          if (amount === null) throw new Error('the sample left the customer without a budget: it set none');
          return [amount];
        },
      };
    },
  },
  listCustomers: {
    // Every customer of the partner, on every page, and how many.
    async arrange(environment) {
      return {
        shown: async () => {
          const ids: string[] = [];
          for await (const customer of demoClient(environment).listCustomers()) ids.push(customer.id);
          return [ids.length, ...ids];
        },
      };
    },
  },
  getCustomerUsageSummary: {
    // The budget just given to the customer, and the currency of its cost.
    async arrange(environment) {
      const amount = unguessableAmount();
      await demoBudget(environment).set(amount);
      return {
        shown: async () => {
          const summary = await demoClient(environment).getCustomerUsageSummary(
            environment.env.CUSTOMER_TENANT_ID ?? '',
          );
          if (summary.budget.amount !== amount) throw new Error(`the summary shows budget ${summary.budget.amount}`);
          return [amount, summary.currencyCode ?? summary.currencyLocale ?? ''];
        },
      };
    },
  },
  listCustomerUsageRecords: {
    // The customer's record: the budget just given to it and the percent of it used.
    async arrange(environment) {
      const amount = unguessableAmount();
      await demoBudget(environment).set(amount);
      return {
        shown: async () => {
          const customer = environment.env.CUSTOMER_TENANT_ID ?? '';
          const records = await demoClient(environment).listCustomerUsageRecords();
          const record = records.find(({ resourceId }) => resourceId === customer);
          if (record?.budget.amount !== amount) throw new Error(`no record of ${customer} with budget ${amount}`);
          return [customer, amount, record.percentUsed];
        },
      };
    },
  },
  getPartnerUsageSummary: {
    // The partner's counts, after the customer was put over its budget or well within it.
    async arrange(environment) {
      await demoBudget(environment).set(randomInt(2) === 0 ? 0.01 : 1_000_000_000);
      return {
        shown: async () => {
          const summary = await demoClient(environment).getPartnerUsageSummary();
          return [
            summary.customersOverBudget,
            summary.customersTrendingOver,
            summary.customersWithUsageBasedSubscription,
          ];
        },
      };
    },
  },
  ...webhookValueChecks,
};

/** Whether `output` shows `value`: one of its numbers, or a text it contains. */
export function shows(output: string, value: Shown): boolean {
  return typeof value === 'number' ? numbersIn(output).includes(value) : output.includes(value);
}

/** The decimal numbers in a text (`Budget 250.50` has 250.5), to compare with what the server holds. */
export function numbersIn(text: string): number[] {
  return [...text.matchAll(/(?<![\w.-])\d+(?:\.\d+)?(?![\w.])/g)].map(([match]) => Number(match));
}
