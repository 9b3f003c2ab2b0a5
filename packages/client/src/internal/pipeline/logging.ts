import type { Logger, LogLevel } from '../../core/call-types.js';
import { ValidationError } from '../../core/errors.js';
import { failureName } from '../failure-name.js';
import type { Call, PipelineStep } from './pipeline.js';

const LEVELS: readonly LogLevel[] = ['error', 'warning', 'info', 'debug'];
const METHODS = { error: 'error', warning: 'warn', info: 'info', debug: 'debug' } as const;

/** Where lines go without a `logger`: standard error in Node, the console elsewhere. */
const stderrLogger: Logger = {
  error: (line) => writeLine(line),
  warn: (line) => writeLine(line),
  info: (line) => writeLine(line),
  debug: (line) => writeLine(line),
};

function writeLine(line: string): void {
  const stderr = (globalThis as { process?: { stderr?: { write(text: string): unknown } } }).process?.stderr;
  if (stderr) stderr.write(`${line}\n`);
  else console.error(line);
}

/**
 * The level of a client's log: its `logLevel`, else `USAGEBUDGET_LOG` (Node; read once, when the
 * client's first call loads this step), else `debug` with a `logger` (what it always received)
 * and nothing without one. An unknown `logLevel` is a `ValidationError`; an unknown
 * `USAGEBUDGET_LOG` is said once on standard error and ignored.
 */
export function logLevelOf(option: string | undefined, logger: Logger | undefined): LogLevel | undefined {
  if (option !== undefined) {
    if (!LEVELS.includes(option as LogLevel))
      throw new ValidationError('logLevel', `must be one of ${LEVELS.join(', ')}`);
    return option as LogLevel;
  }
  const environment = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
    ?.USAGEBUDGET_LOG;
  if (environment) {
    if (LEVELS.includes(environment.toLowerCase() as LogLevel)) return environment.toLowerCase() as LogLevel;
    writeLine(
      `usagebudget: USAGEBUDGET_LOG=${JSON.stringify(environment.slice(0, 20))} ignored: use ${LEVELS.join(', ')}`,
    );
  }
  return logger ? 'debug' : undefined;
}

/**
 * The level of an attempt's line: a 2xx is `info`, and so is an attempt the caller aborted (its
 * own signal: nothing went wrong); what the policy may retry (no response, 408, 429, 5xx)
 * `warning`, the rest `error`.
 */
function attemptLevel(status: number | undefined, failure: unknown): LogLevel {
  if (status !== undefined && status >= 200 && status < 300) return 'info';
  if (status === undefined && (failure as { name?: unknown } | undefined)?.name === 'AbortError') return 'info';
  return status === undefined || status === 408 || status === 429 || status >= 500 ? 'warning' : 'error';
}

/**
 * The client's log, at its level, to its `logger` or standard error: one line per attempt (its
 * operation, status, duration, `MS-RequestId` and `MS-CorrelationId`: never a body, a token or any
 * other header), a `debug` line before each attempt, a `warning` per retry (with its wait) and per
 * token refresh. With the level off, a step that only passes the request on.
 */
export function logging({
  logger,
  logLevel,
}: {
  logger?: Logger | undefined;
  logLevel?: string | undefined;
}): PipelineStep {
  const level = logLevelOf(logLevel, logger);
  if (!level) return { name: 'logging', sendRequest: (request, call, next) => next(request, call) };
  const sink = logger ?? stderrLogger;
  const log = (at: LogLevel, line: string, fields: Record<string, unknown>) => {
    if (LEVELS.indexOf(at) <= LEVELS.indexOf(level)) sink[METHODS[at]]?.(`usagebudget: ${line}`, fields);
  };
  const ids = (call: Call) => {
    const { headers } = call.response ?? { headers: {} as Record<string, string> };
    return {
      requestId: headers['ms-requestid'] || call.ids.requestId,
      correlationId: headers['ms-correlationid'] || call.ids.correlationId,
    };
  };
  return {
    name: 'logging',
    async sendRequest(request, call, next) {
      const attempt = call.attempts + 1;
      log('debug', `${call.plan.label}, attempt ${attempt}`, { ...call.ids, attempt });
      const started = performance.now();
      let failure: unknown;
      try {
        return await next(request, call);
      } catch (error) {
        failure = error;
        throw error;
      } finally {
        const durationMs = Math.round(performance.now() - started);
        const status = call.attempts === attempt ? call.response?.status : undefined;
        const named = ids(call);
        const outcome = status === undefined ? `no response (${failureName(failure)})` : String(status);
        log(
          attemptLevel(status, failure),
          `${call.plan.label} attempt ${attempt}: ${outcome} in ${durationMs} ms (MS-RequestId ${named.requestId}, MS-CorrelationId ${named.correlationId})`,
          { operation: call.plan.operationId, status, durationMs, attempt, ...named },
        );
      }
    },
    onEvent(event, call) {
      const { plan, ids: callIds, attempts } = call;
      if (event.kind === 'refresh') {
        log('warning', `${plan.label} got 401, retrying once with a fresh token`, callIds);
        return;
      }
      const { failure, retry, delayMs } = event;
      log('warning', `${plan.label} failed (${failureName(failure)}), retry ${retry} in ${delayMs} ms`, {
        ...callIds,
        attempt: attempts,
        delayMs,
      });
    },
  };
}
