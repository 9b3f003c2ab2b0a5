import { CONTINUATION_TOKEN } from '@usagebudget/openapi/limits';
import type { Link } from '../../generated/models/index.js';
import { fits } from '../argument-checks.js';

/** The request a next link describes: its path from the base URL, and its continuation token. */
export interface LinkRequest {
  url: string;
  /** The `MS-ContinuationToken` it carries, when it carries one. */
  token?: string;
}

// A path of the API: one leading slash (two would name another host), printable ASCII without the
// backslash (which URL parsers read as a slash), and no `.` or `..` segment, percent-encoded or
// not (which would climb out of the base URL's path).
const API_PATH = /^\/(?!\/)(?!.*\/(?:\.|%2e){1,2}(?:[/?#]|$))[!-[\]-~]*$/i;

/**
 * The request of a `links.next`, or `undefined` when the client does not follow it. Partner
 * Center's next links are `GET`s of a path of the API (written without `/v1` at times: it is
 * added) that carry one header, `MS-ContinuationToken`. Anything else is refused before a request
 * leaves: another method, a URL (of another host, or climbing out of the base URL's path), any
 * other header (a `Host`, an `Authorization`) or a token the service could not have issued (the
 * spec's `MS-ContinuationToken`: 1 to 2048 printable ASCII characters). The client's own headers
 * are sent with the request; the link cannot replace them.
 */
export function linkRequest(link: Link): LinkRequest | undefined {
  const { uri, method, headers = [] } = Object(link) as Partial<Link>;
  // A list of at most one header, or anything else as a list (which is then refused).
  const [header, ...more] = ([] as unknown[]).concat(headers);
  const { key, value } = Object(header);
  if (
    /^get$/i.test(String(method)) &&
    API_PATH.test(String(uri)) &&
    !more.length &&
    (header === undefined || (/^ms-continuationtoken$/i.test(key) && fits(String(value), CONTINUATION_TOKEN)))
  ) {
    const url = String(uri);
    return { url: /^\/v1(?:[/?#]|$)/.test(url) ? url : `/v1${url}`, token: value };
  }
}
