import { spec } from '@usagebudget/openapi';
import { createSpecValidator } from '@usagebudget/openapi/validator';

/** One compiled validator of the bundled spec for the whole process: compiling the spec is the slow part. */
export const specValidator = createSpecValidator(spec);

const checkOf = (pointer: string) => {
  const check = specValidator.compile(pointer);
  return (value: unknown): boolean => check(value).valid;
};

/** The spec's check of a customer tenant ID: a canonical 8-4-4-4-12 GUID. */
export const isCustomerTenantId = checkOf('#/components/parameters/CustomerTenantId/schema');
/** The spec's checks of the two tracing headers, which responses echo only when they pass. */
export const isRequestId = checkOf('#/components/parameters/RequestId/schema');
export const isCorrelationId = checkOf('#/components/parameters/CorrelationId/schema');
