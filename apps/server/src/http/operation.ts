import type { IncomingMessage } from 'node:http';
import type { OperationRule } from '../contract/compile-contract.js';

/** A response to write: status, body, and headers beyond the ones every response carries. */
export interface Reply {
  readonly status: number;
  readonly body: string | Buffer;
  /** Default `application/json; charset=utf-8`. */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A call the front door (authentication, throttling, headers, customer ownership) has let in. */
export interface OperationCall {
  readonly req: IncomingMessage;
  readonly operation: OperationRule;
  readonly partnerId: string;
  /** Lower case, and a customer of the partner. */
  readonly customerId: string;
  /** The resource's own URI, for `links.self`. */
  readonly selfUri: string;
  /** The MS-RequestId the client sent, lower case; `undefined` when the server made one up. */
  readonly sentRequestId: string | undefined;
  /** Tells the front door the request body was read to its end, so the connection can be kept. */
  bodyRead(): void;
}

/** What implements one of the spec's operations, by its operationId. */
export type OperationHandler = (call: OperationCall) => Reply | Promise<Reply>;
