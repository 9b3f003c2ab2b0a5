// Replaced by tsup (and vitest) with the version in package.json.
declare const __SDK_VERSION__: string;

/** The `MS-PartnerCenter-Client` value every call of this SDK sends: its name and version. */
export const SDK_CLIENT = `usagebudget-sdk/${__SDK_VERSION__}`;
