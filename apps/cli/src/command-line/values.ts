import { isGuid } from '@usagebudget/client';
import { CommandLineError } from './error.js';

/** The option's number, its default when absent, or `undefined` when it is not a valid one. */
export function numberOption(
  text: string | undefined,
  fallback: number,
  valid: (n: number) => boolean,
): number | undefined {
  if (text === undefined) return fallback;
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) && valid(value) ? value : undefined;
}

/** The customer tenant ID of the examples in the help and in errors. */
export const EXAMPLE_CUSTOMER_ID = '0c39d6d5-c70d-4c55-bc02-f620844f3fd1';

/** `<customer-tenant-id>`: a GUID, or a {@link CommandLineError} that names the command. */
export function customerTenantIdArgument(text: string, command: string): string {
  if (isGuid(text)) return text;
  throw new CommandLineError(
    `invalid customer tenant ID "${text}": expected a GUID such as ${EXAMPLE_CUSTOMER_ID}`,
    command,
  );
}
