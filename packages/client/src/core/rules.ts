import * as rules from '@usagebudget/openapi/rules';

// The spec package's rules, typed here so that the declarations the client ships name no module
// of the spec package: the build inlines the code, and the client does not depend on it.

/**
 * True when `value` is a GUID as the spec means it (canonical 8-4-4-4-12 hex, either case), the
 * rule the client checks `customerTenantId` and `correlationId` with before sending.
 */
export const isGuid: (value: unknown) => value is string = rules.isGuid;

/**
 * The canonical text of a decimal's exact value when a JSON number (a double) carries it exactly,
 * else `undefined`: `exactDecimal('250.50')` is `'250.5'`, `exactDecimal('0.1000000000000000055')`
 * is `undefined`. Check user input with it before `setBudget`, so that a budget is never rounded.
 */
export const exactDecimal: (decimalText: string) => string | undefined = rules.exactDecimal;
