import { spec } from '@usagebudget/openapi';
import { createSpecValidator } from '@usagebudget/openapi/validator';

/** One compiled validator of the bundled spec for the whole process: compiling the spec is the slow part. */
export const specValidator = createSpecValidator(spec);

/** The spec's check of a customer tenant ID: a canonical 8-4-4-4-12 GUID. */
export const isGuid = (value: unknown): boolean =>
  specValidator.compile('#/components/parameters/CustomerTenantId/schema')(value).valid;
