import { spec } from '@usagebudget/openapi';
import { pathParameterNames, type SpecOperation } from '@usagebudget/openapi/operations';
import { resolveReference } from '@usagebudget/openapi/pointer';
import { createSpecValidator } from '@usagebudget/openapi/validator';
import type { OpenAPIV3 } from 'openapi-types';
import { testControlsSpec } from './admin-spec.js';
import type { FaultAnswers } from './fault-answers.js';

/** Which requests of the API fail, and how: the `FaultRule` schema of the test controls' spec. */
export interface FaultRule {
  /** Only requests of this method (upper case). */
  readonly method?: string;
  /** Only requests of this operation of the spec (an unknown one is refused). */
  readonly operationId?: string;
  /** Only requests whose path names this customer tenant ID (any case). */
  readonly customer?: string;
  /** Answer with this status (400-599): the spec's example body and documented headers for it. */
  readonly status?: number;
  /** The spec's example to answer with, by name (needs `status` and `operationId`); default the first. */
  readonly example?: string;
  /** `Retry-After`, in seconds (needs `status`); 1 by default where the spec documents it. */
  readonly retryAfter?: number;
  /** Wait this many milliseconds first. */
  readonly delayMs?: number;
  /** Close the connection once the request has arrived, unanswered (excludes `status`). */
  readonly drop?: boolean;
  /** Apply to the next N matching requests; without it, always. */
  readonly times?: number;
}

/** A rule in force. */
export interface ActiveFaultRule {
  /** What `removeFault` takes. */
  readonly id: string;
  /** The rule as it was added. */
  readonly rule: FaultRule;
  /** Requests it has answered so far. */
  readonly matched: number;
  /** Requests it will still answer; `null`: always. */
  readonly remaining: number | null;
}

/** A request of the API as the rules match it. */
export interface RequestTarget {
  /** Upper case. */
  readonly method: string;
  readonly operation: SpecOperation | undefined;
  /** The customer tenant ID the path names, lower case. */
  readonly customer: string | null;
}

/** A rule that cannot be added: every problem, and the fields at fault. */
export class InvalidFaultRule extends Error {
  override name = 'InvalidFaultRule';
  constructor(
    readonly problems: readonly string[],
    readonly fields: readonly string[],
  ) {
    super(`Invalid fault rule: ${problems.join('; ')}.`);
  }
}

export interface FaultRules {
  /** Checks a rule against the schema and the spec, and puts it in force after the others. */
  add(value: unknown): ActiveFaultRule;
  /** False when no rule has this id. */
  remove(id: string): boolean;
  clear(): void;
  list(): ActiveFaultRule[];
  /** The first rule in force that matches, counted as having answered; `undefined` when none. */
  take(target: RequestTarget): ActiveFaultRule | undefined;
}

/**
 * The position of the customer tenant ID (the path parameter of `format: uuid`) among a path's
 * values; -1 when the path names no customer (the customer list, the usage records).
 */
export function customerPosition(operation: SpecOperation): number {
  const names = pathParameterNames(operation.path);
  const parameter = operation.parameters.find(({ value }) => {
    if (value.in !== 'path' || !value.schema) return false;
    return resolveReference<OpenAPIV3.SchemaObject>(spec, value.schema).value.format === 'uuid';
  });
  return parameter ? names.indexOf(parameter.value.name) : -1;
}

const checkRule = createSpecValidator(testControlsSpec).compile('#/components/schemas/FaultRule');

interface Slot {
  readonly id: string;
  readonly rule: FaultRule;
  matched: number;
  remaining: number | null;
}

function matches(rule: FaultRule, target: RequestTarget): boolean {
  return (
    (rule.method === undefined || rule.method === target.method) &&
    (rule.operationId === undefined || rule.operationId === target.operation?.operationId) &&
    (rule.customer === undefined || rule.customer.toLowerCase() === target.customer)
  );
}

export function createFaultRules(operations: readonly SpecOperation[], answers: FaultAnswers): FaultRules {
  const byOperationId = new Map(operations.map((operation) => [operation.operationId, operation]));
  let slots: Slot[] = [];
  let nextId = 1;

  const validate = (value: unknown): FaultRule => {
    const schema = checkRule(value);
    if (!schema.valid) {
      const fields = schema.details.map((detail) =>
        detail.keyword === 'additionalProperties'
          ? String(detail.params.additionalProperty)
          : detail.instancePath.slice(1) || 'rule',
      );
      throw new InvalidFaultRule(
        schema.errors.map((error) => error.replace(/^\//, '')),
        [...new Set(fields)],
      );
    }
    const rule = value as FaultRule;
    const problems: string[] = [];
    const fields: string[] = [];
    const problem = (text: string, ...at: string[]) => {
      problems.push(text);
      fields.push(...at);
    };
    const operation = rule.operationId === undefined ? undefined : byOperationId.get(rule.operationId);
    if (rule.operationId !== undefined && !operation) {
      problem(
        `operationId ${JSON.stringify(rule.operationId)} is not an operation of the spec (it has ${[...byOperationId.keys()].join(', ')})`,
        'operationId',
      );
    }
    if (operation && rule.method !== undefined && rule.method !== operation.method.toUpperCase()) {
      problem(
        `method ${rule.method} never matches ${operation.operationId}, a ${operation.method.toUpperCase()}`,
        'method',
      );
    }
    if (operation && rule.customer !== undefined && customerPosition(operation) === -1) {
      problem(
        `customer never matches ${operation.operationId}, whose path ${operation.path} names no customer`,
        'customer',
      );
    }
    if (rule.status === undefined && rule.drop !== true && rule.delayMs === undefined) {
      problem('a rule needs status, drop or delayMs', 'status', 'drop', 'delayMs');
    }
    if (rule.status !== undefined && rule.drop === true)
      problem('status and drop exclude each other', 'status', 'drop');
    if (rule.retryAfter !== undefined && rule.status === undefined) problem('retryAfter needs status', 'retryAfter');
    if (rule.example !== undefined) {
      if (rule.status === undefined || rule.operationId === undefined) {
        problem('example needs status and operationId: examples are documented per operation', 'example');
      } else if (operation) {
        const names = answers.exampleNames(operation, rule.status);
        if (!names.includes(rule.example)) {
          problem(
            `example ${JSON.stringify(rule.example)} is not an example of ${rule.operationId} ${rule.status} (${names.join(', ') || 'it has none'})`,
            'example',
          );
        }
      }
    }
    if (problems.length > 0) throw new InvalidFaultRule(problems, [...new Set(fields)]);
    return rule;
  };

  const view = (slot: Slot): ActiveFaultRule => ({ ...slot });

  return {
    add(value) {
      const rule = validate(value);
      const slot: Slot = { id: String(nextId++), rule, matched: 0, remaining: rule.times ?? null };
      slots.push(slot);
      return view(slot);
    },
    remove(id) {
      const before = slots.length;
      slots = slots.filter((slot) => slot.id !== id);
      return slots.length < before;
    },
    clear() {
      slots = [];
    },
    list: () => slots.map(view),
    take(target) {
      const slot = slots.find((each) => matches(each.rule, target));
      if (!slot) return undefined;
      slot.matched += 1;
      if (slot.remaining !== null) {
        slot.remaining -= 1;
        if (slot.remaining === 0) slots = slots.filter((each) => each !== slot);
      }
      return view(slot);
    },
  };
}
