// Written by scripts/generate.mjs from the bundled spec (`pnpm --filter @usagebudget/client generate`); never edit.
// The operations that accept app+user tokens only (the spec's `x-token-kinds`); the others accept both kinds.
import type { OperationId } from './requests.js';

export const appUserOnly: ReadonlySet<OperationId> = new Set<OperationId>(['listCustomerUsageRecords', 'getCustomerUsageSummary', 'getPartnerUsageSummary']);
