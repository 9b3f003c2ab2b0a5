import { PartnerCenterError } from '../core/errors.js';
import type { Link } from '../generated/models/index.js';

/** The request a `Link` describes: its method, its path from the base URL, every header it lists. */
export interface LinkRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
}

/**
 * The request of a link (`links.next`). Links are paths of the API; Partner Center writes some
 * without the `/v1` prefix, which is added when missing. Anything else (a URL of another host) is
 * refused: the token goes to the client's base URL only.
 */
export function linkRequest({ uri, method, headers = [] }: Link): LinkRequest {
  if (!/^\/(?!\/)/.test(uri)) throw new PartnerCenterError(`links.next is not an API path: ${uri}`);
  return {
    method,
    url: /^\/v1(?:[/?#]|$)/.test(uri) ? uri : `/v1${uri}`,
    headers: Object.fromEntries(headers.map(({ key, value }) => [key, value])),
  };
}
