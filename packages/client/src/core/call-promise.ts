import type { ResponseInfo } from './call-types.js';

/** A call's result together with its response metadata. */
export interface WithResponse<T> {
  data: T;
  response: ResponseInfo;
}

// The base promise is never observed: one executor for all, no closure per call.
const resolvedBase = (resolve: (value: never) => void) => resolve(undefined as never);

/**
 * The promise every client method returns. Await it for the data, or call `withResponse()` for
 * the data and the response metadata (status, `MS-RequestId`, `MS-CorrelationId`, headers).
 */
export class CallPromise<T> extends Promise<T> {
  readonly #result: Promise<WithResponse<T>>;

  constructor(result: Promise<WithResponse<T>>) {
    // The base promise is never observed: then/catch/finally read #result instead.
    super(resolvedBase);
    this.#result = result;
  }

  /** Resolves with `{ data, response }`; rejects like the call itself. */
  withResponse(): Promise<WithResponse<T>> {
    return this.#result;
  }

  // biome-ignore lint/suspicious/noThenProperty: this class is a promise, then() is its contract.
  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    // One promise, not two: the data handed straight to onFulfilled (or passed on without one).
    return this.#result.then(
      ({ data }) => (typeof onFulfilled === 'function' ? onFulfilled(data) : (data as unknown as R1)),
      onRejected,
    );
  }

  override catch<R = never>(onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onRejected);
  }

  override finally(onFinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onFinally);
  }
}
