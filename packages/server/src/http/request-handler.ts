import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { BodyRule, OperationRule, RouteRule } from '../contract/compile-contract.js';
import { faults, HttpError } from '../contract/faults.js';
import { ADMIN_PREFIX, type AdminRequest } from '../namespaces/namespace-admin.js';
import type { Caller, PartnerDirectory } from '../partners/partner-directory.js';
import { type Store, StoreUnavailable } from '../storage/store.js';
import type { AccessLog } from './access-log.js';
import { type CheckedBody, checkBody } from './checked-body.js';
import type { Operation, Reply } from './operation.js';
import { checkProtocol } from './protocol-checks.js';
import { ClientGone, canDrain, drainBody, readJsonBody } from './request-body.js';
import { DOCS_PREFIX, type StaticFile } from './static-routes.js';
import { StreamedBody, writeStreamed } from './streamed-body.js';
import { tracingIds } from './tracing-ids.js';

export interface HandlerDependencies {
  readonly routes: readonly RouteRule[];
  readonly partners: PartnerDirectory;
  /** What implements each of the spec's operations, by operationId. */
  readonly operations: Readonly<Record<string, Operation>>;
  /** Asked by `/readyz` whether the database answers. */
  readonly store: Pick<Store, 'ping'>;
  /**
   * Seconds to wait before this partner may call again, 0 when it may now (asynchronous: the
   * buckets may be kept in the database, shared by replicas); absent: no throttling.
   */
  readonly throttle: ((partnerId: string) => Promise<number>) | undefined;
  readonly files: ReadonlyMap<string, StaticFile>;
  /** The admin API (`/_admin/...`); absent when it is off, and its paths are then 404 as any unknown path. */
  readonly admin?: ((request: AdminRequest) => Promise<Reply>) | undefined;
  /**
   * A file that is not in `files` but may be kept elsewhere (a signing certificate another replica
   * made); `undefined` when `path` cannot name one, else what is found (`undefined`: a 404).
   */
  readonly findFile?: ((path: string) => Promise<StaticFile | undefined> | undefined) | undefined;
  readonly log: AccessLog | undefined;
  /** True once the server is shutting down: every response then closes its connection. */
  readonly closing: () => boolean;
  /** True for a connection past the server's cap: its requests are answered 503, and it is closed. */
  readonly overCapacity?: (socket: object) => boolean;
  /**
   * Gets each socket whose response said `Connection: close`: whatever the client still sends on
   * it is read and dropped, and a parse error in it must not be answered a second time.
   */
  readonly answered: WeakSet<object>;
}

/** One request in flight: what the access log and the response headers need. */
interface InFlightRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly path: string;
  /** The query string without its `?`; empty when there is none. */
  readonly query: string;
  readonly started: number;
  readonly requestId: string;
  readonly correlationId: string;
  route: string | null;
  partnerId: string | null;
  bodyRead: boolean;
  /** Made when an operation first asks for its `signal`. */
  left?: AbortController;
}

const JSON_TYPE = 'application/json; charset=utf-8';
// The spec's customer tenant ID parameter: the path parameter that names a customer of the partner.
const CUSTOMER_PARAMETER = '#/components/parameters/CustomerTenantId';
const STATIC_METHODS = 'GET, HEAD';
const HEALTH_PATHS = new Set(['/healthz', '/readyz']);
const HEALTHY = JSON.stringify({ status: 'ok' });
/** How long a client should wait before retrying when the database does not answer. */
const STORE_RETRY_AFTER_SECONDS = 1;

/** A path template with its placeholders replaced, in order, by `segments`. */
function fillTemplate(template: string, segments: readonly string[]): string {
  let index = 0;
  return template.replace(/\{[^}]+\}/g, () => segments[index++] ?? '');
}

/**
 * `next(value)` at once when `value` is at hand, or once it settles: each step of the front door
 * (a namespace's token, the shared throttle, a namespace's customer) may wait on the store, and
 * a request that waits on nothing stays synchronous.
 */
function andThen<T, R>(value: T | Promise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/**
 * The headers the front door checks for each operation (those it does not check itself). Every
 * operation the spec declares must have a handler before the first request comes: this throws
 * for one without, or one that claims a header the spec does not declare for it.
 */
function headersToCheck(
  routes: HandlerDependencies['routes'],
  implementationOf: (operation: OperationRule) => Operation,
): Map<OperationRule, OperationRule['headerParameters']> {
  const checkedHeaders = new Map<OperationRule, OperationRule['headerParameters']>();
  for (const route of routes) {
    for (const operation of route.operations.values()) {
      const own = new Set(implementationOf(operation).checksItself ?? []);
      for (const name of own) {
        if (!operation.headerParameters.some((header) => header.name === name)) {
          throw new Error(`${operation.operationId} checks a header the spec does not declare for it: ${name}`);
        }
      }
      checkedHeaders.set(
        operation,
        operation.headerParameters.filter((header) => !own.has(header.name)),
      );
    }
  }
  return checkedHeaders;
}

/** Aborted when the response closes before it was all written: its client has left. */
function clientLeft(inFlight: InFlightRequest): AbortSignal {
  if (!inFlight.left) {
    const left = new AbortController();
    const { res } = inFlight;
    res.once('close', () => {
      if (!res.writableFinished) left.abort();
    });
    inFlight.left = left;
  }
  return inFlight.left.signal;
}

function hasUnreadBody(inFlight: InFlightRequest): boolean {
  const { headers } = inFlight.req;
  const declared = headers['transfer-encoding'] !== undefined || (headers['content-length'] ?? '0') !== '0';
  return declared && !inFlight.bodyRead;
}

export function createRequestHandler(deps: HandlerDependencies): (req: IncomingMessage, res: ServerResponse) => void {
  const { operations } = deps;
  const implementationOf = (operation: OperationRule): Operation => {
    const implementation = operations[operation.operationId];
    if (!implementation) throw new Error(`no handler for the spec's ${operation.operationId}`);
    return implementation;
  };
  const checkedHeaders = headersToCheck(deps.routes, implementationOf);

  /** The operation of `route` the request's method names; 405 for none. */
  const routeOperation = (inFlight: InFlightRequest, route: RouteRule): OperationRule => {
    const { req } = inFlight;
    inFlight.route = route.pathTemplate;
    const operation = route.operations.get(req.method ?? '');
    if (!operation) throw faults.methodNotAllowed(req.method ?? '', route.allow);
    return operation;
  };

  /**
   * Lets an authenticated request in, or throws (or rejects with) the fault of the first check it
   * fails: its throttle, token kind and headers. Synchronous without a throttle.
   */
  const admit = (inFlight: InFlightRequest, operation: OperationRule, caller: Caller): void | Promise<void> => {
    inFlight.partnerId = caller.partner.id;
    if (!deps.throttle) return checkCaller(inFlight, operation, caller);
    return deps.throttle(caller.partner.id).then((wait) => {
      if (wait > 0) throw faults.throttled(wait);
      return checkCaller(inFlight, operation, caller);
    });
  };

  /** The checks after the throttle: the token's kind (and an app+user token's MFA), and the headers the spec declares. */
  const checkCaller = (inFlight: InFlightRequest, operation: OperationRule, caller: Caller): void => {
    if (!operation.tokenKinds.includes(caller.tokenKind)) {
      throw faults.tokenKindNotAccepted(operation.tokenKinds, caller.tokenKind);
    }
    // Partner Center's MFA mandate: every app+user call needs a sign-in with a second factor.
    if (caller.tokenKind === 'app+user' && caller.mfa === false) throw faults.mfaRequired();
    for (const header of checkedHeaders.get(operation) ?? []) {
      const value = inFlight.req.headers[header.key];
      if (value === undefined) continue;
      const result = header.check(value);
      if (!result.valid) throw faults.invalidHeader(header.name, result.details[0]?.message ?? 'is invalid');
    }
  };

  /** The path's values checked against the spec: the customer it names (lower case), and the segments of `links.self`. */
  const checkPath = (operation: OperationRule, values: readonly string[]) => {
    let customerId: string | undefined;
    const segments = operation.pathParameters.map((parameter, index) => {
      const value = values[index] ?? '';
      const result = parameter.check(value);
      if (parameter.pointer === CUSTOMER_PARAMETER) {
        if (!result.valid) throw faults.invalidCustomerId();
        customerId = value.toLowerCase();
        return customerId;
      }
      if (!result.valid) throw faults.invalidPathParameter(parameter.name, result.details[0]?.message ?? 'is invalid');
      return value;
    });
    const pathParameters = Object.fromEntries(
      operation.pathParameters.map((parameter, index) => [parameter.name, segments[index] ?? '']),
    );
    return { customerId, segments, pathParameters };
  };

  /** Reads the body the spec declares for the operation (the connection can then be kept), binds it and checks it. */
  const readBody = async (inFlight: InFlightRequest, rule: BodyRule): Promise<CheckedBody> => {
    const read = await readJsonBody(inFlight.req, rule.mediaType);
    inFlight.bodyRead = true;
    return checkBody(rule, read);
  };

  const callOperation = (inFlight: InFlightRequest, route: RouteRule, values: string[]): Reply | Promise<Reply> => {
    const operation = routeOperation(inFlight, route);
    // The config's tokens are known at once; a namespace's is read from the store.
    return andThen(deps.partners.authenticate(inFlight.req.headers.authorization), (caller) =>
      andThen(admit(inFlight, operation, caller), () => callAdmitted(inFlight, route, operation, values, caller)),
    );
  };

  const callAdmitted = (
    inFlight: InFlightRequest,
    route: RouteRule,
    operation: OperationRule,
    values: string[],
    caller: Caller,
  ): Reply | Promise<Reply> => {
    const { partner } = caller;
    const { customerId, segments, pathParameters } = checkPath(operation, values);
    const authorized = customerId === undefined ? undefined : deps.partners.authorize(partner, customerId);
    return andThen(authorized, () =>
      callChecked(inFlight, route, operation, caller, { customerId, segments, pathParameters }),
    );
  };

  const callChecked = (
    inFlight: InFlightRequest,
    route: RouteRule,
    operation: OperationRule,
    { partner, tokenKind }: Caller,
    { customerId, segments, pathParameters }: ReturnType<typeof checkPath>,
  ): Reply | Promise<Reply> => {
    const { headers } = inFlight.req;
    const call = (body: CheckedBody | undefined) =>
      implementationOf(operation).handle({
        headers,
        operation,
        partner,
        tokenKind,
        customerId,
        pathParameters,
        query: new URLSearchParams(inFlight.query),
        selfUri: fillTemplate(route.pathTemplate, segments),
        // Only an id the client sent can come back in a retry; a generated one is never replayed.
        sentRequestId: typeof headers['ms-requestid'] === 'string' ? inFlight.requestId.toLowerCase() : undefined,
        body,
        get signal() {
          return clientLeft(inFlight);
        },
      });
    return operation.body ? readBody(inFlight, operation.body).then(call) : call(undefined);
  };

  const serveStatic = (inFlight: InFlightRequest, found?: StaticFile): Reply | Promise<Reply> => {
    const { path, req } = inFlight;
    inFlight.route = path;
    if (req.method !== 'GET' && req.method !== 'HEAD') throw faults.methodNotAllowed(req.method ?? '', STATIC_METHODS);
    // Liveness: the process answers. Readiness: its database answers too (a load balancer routes on it).
    if (path === '/healthz') return { status: 200, body: HEALTHY };
    if (path === '/readyz') {
      return deps.store.ping().then(
        () => ({ status: 200, body: HEALTHY }),
        (error: unknown) => {
          deps.log?.fault(inFlight.requestId, error);
          throw faults.serviceUnavailable(STORE_RETRY_AFTER_SECONDS);
        },
      );
    }
    if (`${path}/` === DOCS_PREFIX) {
      return { status: 301, body: '', contentType: 'text/plain; charset=utf-8', headers: { Location: DOCS_PREFIX } };
    }
    const file = found ?? (deps.files.get(path) as StaticFile);
    return { status: 200, body: file.body(), contentType: file.contentType };
  };

  const dispatch = (inFlight: InFlightRequest): Reply | Promise<Reply> => {
    checkProtocol(inFlight.req, deps.overCapacity?.(inFlight.req.socket) ?? false);
    for (const route of deps.routes) {
      const values = route.match(inFlight.path);
      if (values) return callOperation(inFlight, route, values);
    }
    if (HEALTH_PATHS.has(inFlight.path) || `${inFlight.path}/` === DOCS_PREFIX || deps.files.has(inFlight.path)) {
      return serveStatic(inFlight);
    }
    const { path, req } = inFlight;
    if (deps.admin && (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`))) {
      return deps.admin({
        method: req.method ?? '',
        path,
        headers: req.headers,
        route: (template) => {
          inFlight.route = template;
        },
        readBody: async (limit) => {
          const read = await readJsonBody(req, 'application/json', limit);
          inFlight.bodyRead = true;
          return read.value;
        },
      });
    }
    const elsewhere = deps.findFile?.(inFlight.path);
    if (elsewhere) {
      return elsewhere.then((file) => {
        if (!file) throw faults.routeNotFound();
        return serveStatic(inFlight, file);
      });
    }
    throw faults.routeNotFound();
  };

  const send = (inFlight: InFlightRequest, reply: Reply) => {
    if (hasUnreadBody(inFlight) && !deps.closing() && canDrain(inFlight.req)) {
      // Answering now would have the connection reset under the client's writes when it closes,
      // and the client might never read the answer (a 413 above all): read the rest first.
      drainBody(inFlight.req).then((drained) => write(inFlight, reply, !drained));
    } else write(inFlight, reply, hasUnreadBody(inFlight));
  };

  const write = (inFlight: InFlightRequest, reply: Reply, unreadBody: boolean) => {
    const { req, res } = inFlight;
    const { body } = reply;
    const headers: OutgoingHttpHeaders = {
      'Content-Type': reply.contentType ?? JSON_TYPE,
      // A streamed body's length is known once it is all made: it goes chunked.
      ...(body instanceof StreamedBody ? {} : { 'Content-Length': Buffer.byteLength(body) }),
      'MS-RequestId': inFlight.requestId,
      'MS-CorrelationId': inFlight.correlationId,
      ...reply.headers,
    };
    if (deps.closing() || unreadBody || deps.overCapacity?.(req.socket)) {
      headers.Connection = 'close';
      deps.answered.add(req.socket);
    }
    res.writeHead(reply.status, headers);
    if (body instanceof StreamedBody) {
      writeStreamed(res, body, (outcome) => {
        if (outcome.kind === 'failed') fail(inFlight, outcome.error);
        // Logged once it ended, with how long it took; 499 when its client left first.
        else logRequest(inFlight, outcome.kind === 'sent' ? reply.status : 499);
      });
      return;
    }
    res.end(body);
    logRequest(inFlight, reply.status);
  };

  const logRequest = (inFlight: InFlightRequest, status: number) => {
    deps.log?.write({
      requestId: inFlight.requestId,
      correlationId: inFlight.correlationId,
      partnerId: inFlight.partnerId,
      method: inFlight.req.method ?? '',
      route: inFlight.route,
      path: inFlight.path,
      status,
      durationMs: Math.round((performance.now() - inFlight.started) * 1000) / 1000,
    });
  };

  const fail = (inFlight: InFlightRequest, error: unknown) => {
    if (error instanceof ClientGone) {
      // Nobody is left to answer; 499 is the access-log convention for it.
      logRequest(inFlight, 499);
      return;
    }
    let known = error instanceof HttpError ? error : undefined;
    if (!known) {
      deps.log?.fault(inFlight.requestId, error);
      known =
        error instanceof StoreUnavailable ? faults.serviceUnavailable(STORE_RETRY_AFTER_SECONDS) : faults.unexpected();
    }
    if (inFlight.res.headersSent) {
      inFlight.res.destroy();
      return;
    }
    send(inFlight, { status: known.status, body: JSON.stringify(known.body), headers: known.headers });
  };

  return (req, res) => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const inFlight: InFlightRequest = {
      req,
      res,
      path: query === -1 ? url : url.slice(0, query),
      query: query === -1 ? '' : url.slice(query + 1),
      started: performance.now(),
      ...tracingIds(req.headers),
      route: null,
      partnerId: null,
      bodyRead: false,
    };
    try {
      const reply = dispatch(inFlight);
      if (reply instanceof Promise) {
        reply.then((done) => send(inFlight, done)).catch((error: unknown) => fail(inFlight, error));
      } else send(inFlight, reply);
    } catch (error) {
      fail(inFlight, error);
    }
  };
}
