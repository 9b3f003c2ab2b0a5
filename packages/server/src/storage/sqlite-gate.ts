// better-sqlite3 is one synchronous connection, and the store's interface is asynchronous: a
// transaction (`BEGIN`, `await work(tx)`, `COMMIT`) must not let another request's statements,
// run between two of its awaits, land inside it. The gate lets one transaction in at a time and
// makes the store's other calls wait while one is open; with none open they run at once.

/** An interface of this folder as a synchronous driver implements it: plain results, `Iterable` for `AsyncIterable`. */
export type Synchronous<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => AsyncIterable<infer I>
    ? (...args: A) => Iterable<I>
    : T[K] extends (...args: infer A) => Promise<infer R>
      ? (...args: A) => R
      : T[K];
};

/** `call()`'s result as a settled promise: a throw becomes a rejection, never an exception. */
export function settled<R>(call: () => R): Promise<R> {
  try {
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error);
  }
}

export interface Gate {
  /** Runs `call` now when no transaction is open, else once the open one (and those queued first) ended. */
  run<R>(call: () => R): Promise<R>;
  /** Runs `work` alone: no other `run` or `exclusive` runs until it settles. First come, first served. */
  exclusive<R>(work: () => Promise<R>): Promise<R>;
}

export function createGate(): Gate {
  let held = false;
  const waiting: (() => void)[] = [];
  const acquire = (): Promise<void> => {
    if (!held) {
      held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  // Hands the gate straight to the next in line, so nothing that arrives meanwhile overtakes it.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else held = false;
  };
  return {
    run: (call) =>
      held
        ? acquire().then(() => {
            try {
              return call();
            } finally {
              release();
            }
          })
        : settled(call),
    exclusive: async (work) => {
      await acquire();
      try {
        return await work();
      } finally {
        release();
      }
    },
  };
}
