import type { CallOptions } from '../core/call-types.js';
import { clientDefaults } from '../core/defaults.js';
import { isGuid } from '../core/rules.js';
import { type OperationId, type OperationParameters, requests } from '../generated/requests.js';
import { check, checkRange } from './argument-checks.js';
import type { LinkRequest } from './paging/link-follower.js';
import type { CallPlan, SharedResponseBytes } from './pipeline/pipeline.js';

/** What a plan needs besides the operation's request: its options, and how to name and cap it. */
export interface PlanSettings {
  options?: CallOptions | undefined;
  /** How log lines name the call; the operationId by default. */
  label?: string;
  /** The operation's response cap, or one its pages share; `clientDefaults.maxResponseBytes` by default. */
  maxResponseBytes?: number | SharedResponseBytes;
}

/** The options of one call, checked before anything is sent. */
function checkCallOptions({ correlationId, requestId, timeoutMs, totalTimeoutMs }: CallOptions): void {
  check(correlationId === undefined || isGuid(correlationId), 'correlationId', 'must be a GUID', correlationId);
  check(requestId === undefined || isGuid(requestId), 'requestId', 'must be a GUID', requestId);
  checkRange(timeoutMs, 'timeoutMs', 1);
  checkRange(totalTimeoutMs, 'totalTimeoutMs', 1);
}

function plan(
  operationId: OperationId,
  method: string,
  path: string,
  headers: Record<string, string> | undefined,
  body: string | undefined,
  { options = {}, label = operationId, maxResponseBytes = clientDefaults.maxResponseBytes }: PlanSettings,
): CallPlan {
  checkCallOptions(options);
  return { operationId, label, method, path, headers, body, options, maxResponseBytes };
}

/**
 * The plan of a call of `operationId` from the generated request table: the path template filled
 * in (each value URL-encoded), the query and the operation's own headers that are set, and the
 * body as JSON with its media type.
 */
export function operationPlan<Id extends OperationId>(
  operationId: Id,
  parameters: OperationParameters[Id],
  settings: PlanSettings,
): CallPlan {
  const [method, template, mediaType] = requests[operationId] as readonly [string, string, string?];
  const {
    path: values,
    query,
    headers: own,
    body,
  } = parameters as {
    path?: Record<string, string>;
    query?: Record<string, string | number | undefined>;
    headers?: Record<string, string | undefined>;
    body?: unknown;
  };
  let path = values
    ? template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] as string))
    : template;
  const headers: Record<string, string> = {};
  for (const name in own) if (own[name] !== undefined) headers[name] = own[name];
  if (query) {
    const search = new URLSearchParams();
    for (const name in query) if (query[name] !== undefined) search.set(name, String(query[name]));
    if (search.size > 0) path += `?${search}`;
  }
  if (mediaType) headers['Content-Type'] = mediaType;
  const text = mediaType ? JSON.stringify(body) : undefined;
  return plan(operationId, method, path, headers, text, settings);
}

/** The plan of the page a `links.next` leads to: a `GET` of its path, with its continuation token. */
export function linkPlan(operationId: OperationId, { url, token }: LinkRequest, settings: PlanSettings): CallPlan {
  return plan(operationId, 'GET', url, token ? { 'MS-ContinuationToken': token } : undefined, undefined, settings);
}
