import type { IncomingHttpHeaders } from 'node:http';
import type { OperationRule } from '../contract/compile-contract.js';
import type { TokenKind } from '../partners/config-format.js';
import type { CallerPartner } from '../partners/partner-directory.js';
import type { CheckedBody } from './checked-body.js';
import type { StreamedBody } from './streamed-body.js';

/** A response to write: status, body, and headers beyond the ones every response carries. */
export interface Reply {
  readonly status: number;
  /** A `StreamedBody` is sent in chunks as it is made (no `Content-Length`: chunked). */
  readonly body: string | Buffer | StreamedBody;
  /** Default `application/json; charset=utf-8`. */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A call the front door has let in: authenticated, within the throttle, of a token kind the
 * operation accepts, its headers and path checked, its customer the partner's, and its body (when
 * the spec declares one) read, bound and checked against the spec's schema.
 */
export interface OperationCall {
  /** The request's headers, names in lower case. */
  readonly headers: IncomingHttpHeaders;
  readonly operation: OperationRule;
  readonly partner: CallerPartner;
  readonly tokenKind: TokenKind;
  /**
   * The customer the path names (its `CustomerTenantId` parameter), lower case and a customer of
   * the partner; `undefined` for an operation whose path names none.
   */
  readonly customerId: string | undefined;
  /** The path's parameters by the spec's names, checked against their schemas (a customer's in lower case). */
  readonly pathParameters: Readonly<Record<string, string>>;
  /** The request's query string, parsed; the front door reads none of it. */
  readonly query: URLSearchParams;
  /** The resource's own URI (the path, customer id in lower case), for `links.self`. */
  readonly selfUri: string;
  /** The MS-RequestId the client sent, lower case; `undefined` when the server made one up. */
  readonly sentRequestId: string | undefined;
  /** The request body, for an operation whose spec declares one; `undefined` for the others. */
  readonly body: CheckedBody | undefined;
  /**
   * Aborted when the client leaves before its answer is written: long work (a whole portfolio)
   * checks it between steps and stops, throwing `ClientGone`.
   */
  readonly signal: AbortSignal;
}

/** What implements one of the spec's operations, by its operationId. */
export interface Operation {
  handle(call: OperationCall): Reply | Promise<Reply>;
  /**
   * Header parameters (by the spec's name) this operation checks itself, with faults of its own
   * that the spec names (`MS-ContinuationToken`); the front door checks the others (400 800002).
   */
  readonly checksItself?: readonly string[];
}

/** The customer an operation on one customer's resource works on; the spec routes it only with one. */
export function pathCustomerId(call: OperationCall): string {
  if (call.customerId === undefined) throw new Error(`${call.operation.operationId} has no customer in its path`);
  return call.customerId;
}
