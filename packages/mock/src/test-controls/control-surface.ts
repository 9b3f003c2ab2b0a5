// Where the test controls are, and the header every request of theirs carries: what the admin
// client needs of them, apart from their document (which it does not load).

/** Where a stateful mock serves its test controls, below its URL; a normal server answers 404 there. */
export const MOCK_ADMIN_PATH = '/_mock';

/**
 * The header every request of the test controls carries. A web page can send a custom header to
 * another origin only after a CORS preflight, which the controls never consent to: so a page the
 * developer has open cannot reset or rig a mock on their machine.
 */
export const MOCK_ADMIN_HEADER = 'X-Usagebudget-Mock';
/** Its one value. */
export const MOCK_ADMIN_HEADER_VALUE = '1';
