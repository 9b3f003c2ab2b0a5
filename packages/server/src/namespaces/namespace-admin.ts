// The admin API: namespaces, throwaway partners of their own (tenant id, tokens, customers) for
// one CI job each, which expire. Off unless the server is given an admin token; its token is its
// own (a partner's token is never accepted here, nor the admin token by the partner API).
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { faults } from '../contract/faults.js';
import type { Reply } from '../http/operation.js';
import type { ResolvedPartner } from '../partners/config-format.js';
import { ConfigError, parseConfig } from '../partners/config-reader.js';
import { type NamespaceCallers, tokenDigest } from '../partners/namespace-callers.js';
import { portfolioSeed } from '../partners/portfolio-seed.js';
import type { Store } from '../storage/store.js';
import type { ThresholdWatch } from '../webhooks/threshold-watch.js';

/** Where the admin API lives; any other path under it is 404, and all of it is 404 when it is off. */
export const ADMIN_PREFIX = '/_admin';
/** The limits of the admin API, documented in the package README. */
export const NAMESPACE_LIMITS = {
  /** A namespace lives an hour unless its creation asks otherwise. */
  defaultTtlSeconds: 3_600,
  /** At most a day: a namespace is a CI job's, not a tenant's. */
  maxTtlSeconds: 86_400,
  /** Customers per namespace, listed and generated together. */
  maxCustomers: 10_000,
  /** Namespaces alive at once, on the whole database. */
  maxNamespaces: 1_000,
  /** A request body (a namespace's customers in the config format). */
  maxBodyBytes: 1024 * 1024,
} as const;
/** The fields a creation may send; `id` and `tokens` are the server's to make. */
const CREATE_FIELDS = ['name', 'ttlSeconds', 'customers', 'generatedCustomers', 'billingPeriod', 'currencyLocale'];
/** The fields a reset may send: the customers to start again with. */
const RESET_FIELDS = ['customers', 'generatedCustomers'];
const NAMESPACE_PATH = /^\/_admin\/namespaces\/([^/]+)(\/reset)?$/;
const BEARER = /^bearer +(\S+) *$/i;

/** An admin request, as the front door hands it over. */
export interface AdminRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** Names the route in the access log. */
  route(template: string): void;
  /** The JSON body, within `limit` bytes (413 past it; 415 unless JSON; 400 unless it parses). */
  readBody(limit: number): Promise<unknown>;
}

/** Checks a bearer token against the admin token in constant time (digests of equal length compared). */
export function adminTokenCheck(adminToken: string): (authorization: string | undefined) => void {
  const expected = createHash('sha256').update(adminToken).digest();
  return (authorization) => {
    const token = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
    if (token === undefined) throw faults.adminTokenMissing();
    if (!timingSafeEqual(createHash('sha256').update(token).digest(), expected)) throw faults.adminTokenInvalid();
  };
}

/** A namespace's token: 256 random bits, prefixed so that a leaked one is recognisable. */
const newToken = () => `ubns_${randomBytes(32).toString('base64url')}`;

function jsonReply(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body: JSON.stringify(body), ...(headers ? { headers } : {}) };
}

/** The body as an object of the allowed fields; 400 naming every other one. */
function fieldsOf(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw faults.invalidNamespace(['the body must be a JSON object']);
  }
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw faults.invalidNamespace(unknown.map((key) => `${key}: unknown field (allowed: ${allowed.join(', ')})`));
  }
  return body as Record<string, unknown>;
}

/** The partner checked by the config format's rules; its problems as the body's fields name them. */
function checkedPartner(partner: Record<string, unknown>): ResolvedPartner {
  let resolved: ResolvedPartner;
  try {
    resolved = parseConfig({ partners: [partner] }, 'namespace').partners[0] as ResolvedPartner;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw faults.invalidNamespace(error.problems.map((problem) => problem.replace(/^partners\[0\]\.?/, '')));
  }
  if (resolved.customers.length > NAMESPACE_LIMITS.maxCustomers) {
    throw faults.invalidNamespace([
      `customers: ${resolved.customers.length} customers (listed and generated); at most ${NAMESPACE_LIMITS.maxCustomers}`,
    ]);
  }
  return resolved;
}

function ttlOf(value: unknown): number {
  if (value === undefined) return NAMESPACE_LIMITS.defaultTtlSeconds;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > NAMESPACE_LIMITS.maxTtlSeconds) {
    throw faults.invalidNamespace([
      `ttlSeconds: must be a whole number of seconds from 1 to ${NAMESPACE_LIMITS.maxTtlSeconds} (got ${JSON.stringify(value)})`,
    ]);
  }
  return value as number;
}

function nameOf(value: unknown, id: string): string {
  if (value === undefined) return `Namespace ${id.slice(0, 8)}`;
  if (typeof value !== 'string' || value.trim() === '' || value.length > 256) {
    throw faults.invalidNamespace(['name: must be a non-empty string of at most 256 characters']);
  }
  return value;
}

export interface NamespaceAdminDependencies {
  readonly store: Store;
  readonly adminToken: string;
  readonly callers: NamespaceCallers;
  readonly thresholds: ThresholdWatch;
  readonly now?: () => number;
}

/** The admin API's handler: `POST /_admin/namespaces`, `GET`/`DELETE /_admin/namespaces/{id}`, `POST /_admin/namespaces/{id}/reset`. */
export function namespaceAdmin(deps: NamespaceAdminDependencies): (request: AdminRequest) => Promise<Reply> {
  const { store, callers, thresholds } = deps;
  const now = deps.now ?? Date.now;
  const checkToken = adminTokenCheck(deps.adminToken);

  const create = async (request: AdminRequest): Promise<Reply> => {
    const body = fieldsOf(await request.readBody(NAMESPACE_LIMITS.maxBodyBytes), CREATE_FIELDS);
    const id = randomUUID();
    const ttlSeconds = ttlOf(body.ttlSeconds);
    const tokens = [
      { token: newToken(), kind: 'app+user' as const },
      { token: newToken(), kind: 'app-only' as const },
    ];
    const { name: _name, ttlSeconds: _ttl, ...shape } = body;
    const partner = checkedPartner({ customers: [], ...shape, id, name: nameOf(body.name, id), tokens });
    const createdAt = now();
    const expiresAt = createdAt + ttlSeconds * 1000;
    const [seed] = portfolioSeed({ partners: [partner] });
    const outcome = await store.transaction(async (tx) => {
      const made = await tx.createNamespace(
        {
          partner: seed as NonNullable<typeof seed>,
          tokens: tokens.map(({ token, kind }) => ({ sha256: tokenDigest(token), kind })),
          expiresAt,
        },
        NAMESPACE_LIMITS.maxNamespaces,
      );
      if (made === 'created') await thresholds.evaluatePartners(tx, [id], new Date(createdAt));
      return made;
    });
    if (outcome === 'full') throw faults.tooManyNamespaces(NAMESPACE_LIMITS.maxNamespaces);
    return jsonReply(
      201,
      {
        id,
        name: partner.name,
        tokens,
        customers: partner.customers.map((customer) => customer.id),
        billingPeriod: partner.billingPeriod,
        currencyLocale: partner.currencyLocale,
        createdAt: new Date(createdAt).toISOString(),
        expiresAt: new Date(expiresAt).toISOString(),
      },
      { Location: `${ADMIN_PREFIX}/namespaces/${id}` },
    );
  };

  const describe = async (id: string): Promise<Reply> => {
    // An expired namespace is shown until swept (its tokens are refused already).
    const found = await store.namespace(id);
    if (!found) throw faults.namespaceNotFound(id);
    return jsonReply(200, {
      id: found.id,
      name: found.name,
      customerCount: found.customerCount,
      expiresAt: new Date(found.expiresAt).toISOString(),
    });
  };

  const remove = async (id: string): Promise<Reply> => {
    const removed = await store.transaction(async (tx) => {
      if (!(await tx.namespace(id))) return false;
      await tx.forgetPartner(id, 'everything');
      return true;
    });
    callers.forget(id);
    if (!removed) throw faults.namespaceNotFound(id);
    return { status: 204, body: '' };
  };

  const reset = async (id: string, request: AdminRequest): Promise<Reply> => {
    const body = fieldsOf(await request.readBody(NAMESPACE_LIMITS.maxBodyBytes), RESET_FIELDS);
    const found = await store.namespace(id);
    const record = found && (await store.partner(id));
    if (!found || !record || found.expiresAt <= now()) throw faults.namespaceNotFound(id);
    const partner = checkedPartner({
      customers: [],
      ...body,
      id,
      name: record.name,
      tokens: [],
      billingPeriod: { start: record.billingStart, end: record.billingEnd },
      currencyLocale: record.currencyLocale,
    });
    const [seed] = portfolioSeed({ partners: [partner] });
    const done = await store.transaction(async (tx) => {
      if (!(await tx.namespace(id))) return false;
      await tx.forgetPartner(id, 'data');
      await tx.seedCustomers(seed as NonNullable<typeof seed>);
      await thresholds.evaluatePartners(tx, [id], new Date());
      return true;
    });
    if (!done) throw faults.namespaceNotFound(id);
    return jsonReply(200, { id, customers: partner.customers.map((customer) => customer.id) });
  };

  return async (request) => {
    const { method, path } = request;
    checkToken(request.headers.authorization);
    if (path === `${ADMIN_PREFIX}/namespaces`) {
      request.route(`${ADMIN_PREFIX}/namespaces`);
      if (method !== 'POST') throw faults.methodNotAllowed(method, 'POST');
      return create(request);
    }
    const match = NAMESPACE_PATH.exec(path);
    if (!match) throw faults.routeNotFound();
    const id = decodeURIComponent(match[1] as string).toLowerCase();
    if (match[2]) {
      request.route(`${ADMIN_PREFIX}/namespaces/{id}/reset`);
      if (method !== 'POST') throw faults.methodNotAllowed(method, 'POST');
      return reset(id, request);
    }
    request.route(`${ADMIN_PREFIX}/namespaces/{id}`);
    if (method === 'GET') return describe(id);
    if (method === 'DELETE') return remove(id);
    throw faults.methodNotAllowed(method, 'GET, DELETE');
  };
}

/** How often each server looks for expired namespaces to delete. */
export const NAMESPACE_SWEEP_MS = 10_000;
/** Namespaces deleted per sweep at most (the next sweep takes the rest). */
const SWEEP_BATCH = 100;

/**
 * Deletes the namespaces expired by now, each in a transaction of its own that checks it is still
 * there and expired: several replicas sweeping at once delete each one once (the second finds no
 * rows), and a namespace is never deleted early. Returns how many this sweep deleted.
 */
export async function sweepExpiredNamespaces(
  store: Store,
  callers: NamespaceCallers,
  now: () => number = Date.now,
): Promise<number> {
  let deleted = 0;
  for (const id of await store.expiredNamespaces(now(), SWEEP_BATCH)) {
    const gone = await store.transaction(async (tx) => {
      const found = await tx.namespace(id);
      if (!found || found.expiresAt > now()) return false;
      await tx.forgetPartner(id, 'everything');
      return true;
    });
    callers.forget(id);
    if (gone) deleted++;
  }
  return deleted;
}
