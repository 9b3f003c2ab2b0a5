import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isCorrelationId, isRequestId } from '../contract/spec-validator.js';

/** The header's value when it passes the spec's check (a GUID); otherwise a new GUID. */
function echoOrNew(value: string | string[] | undefined, valid: (value: string) => boolean): string {
  return typeof value === 'string' && valid(value) ? value : randomUUID();
}

/** The two tracing ids every answer carries. */
export interface TracingIds {
  /** `MS-RequestId`. */
  readonly requestId: string;
  /** `MS-CorrelationId`. */
  readonly correlationId: string;
}

/**
 * The `MS-RequestId` and `MS-CorrelationId` a request is answered with: the ones it sent, when
 * they pass the spec's check (a GUID), else new GUIDs.
 */
export function tracingIds(headers: IncomingHttpHeaders): TracingIds {
  return {
    requestId: echoOrNew(headers['ms-requestid'], isRequestId),
    correlationId: echoOrNew(headers['ms-correlationid'], isCorrelationId),
  };
}
