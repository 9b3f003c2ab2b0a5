import type { WithResponse } from '../core/call-promise.js';
import { PagingError } from '../core/errors.js';
import type { Page, PagedList, PageSettings } from '../core/paging.js';
import type { Link } from '../generated/models/index.js';
import { type LinkRequest, linkRequest } from './link-follower.js';

/** What a paged response holds: `CustomerCollection`, `CustomerMonthlyUsageRecordCollection`. */
export interface CollectionBody<T> {
  items?: T[];
  continuationToken?: string;
  links?: { next?: Link };
}

/** Which page to fetch: the request of a `links.next`, or the one a continuation token leads to (the first without either). */
export interface PageRequest {
  link?: LinkRequest;
  continuationToken?: string;
}

/** Fetches one page as one call; every page of a walk shares `correlationId`. */
export type FetchPage<T> = (request: PageRequest, correlationId: string) => Promise<WithResponse<CollectionBody<T>>>;

/** The most pages a walk reads unless the client's `maxPages` says otherwise: 5 million customers at 500 a page. */
export const DEFAULT_MAX_PAGES = 10_000;
/** Empty pages in a row that still have a `links.next`: a walk past them would never end. */
const EMPTY_PAGES_MAX = 10;

/**
 * What a walk remembers of a request it has made (its token, or its link without one): a SHA-256
 * digest, 16 UTF-16 units whatever the length of what the service put into its links.
 */
async function fingerprint(text: string): Promise<string> {
  return String.fromCharCode(...new Uint16Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}

/**
 * The pages from `start`, one call each, following `links.next` until a page has none. One
 * `MS-CorrelationId` for the whole walk, as the spec asks; each page gets its own `MS-RequestId`
 * from its call.
 *
 * A walk ends with a `PagingError` rather than going on forever or elsewhere: when a page's
 * `links.next` is refused (see `linkRequest`), leads to a page the walk has read before (the same
 * continuation token, or the same link without one), is the 10th empty page in a row, or would be
 * page `maxPages + 1`. The page whose `links.next` fails is not yielded. What the walk keeps is the
 * current page and one number per page read.
 */
export async function* walkPages<T>(
  fetchPage: FetchPage<T>,
  start: PageRequest,
  maxPages: number,
  correlationId: string = crypto.randomUUID(),
): AsyncGenerator<Page<T>, void, undefined> {
  // Which page each request (its token, or its link without one) led to.
  const read = new Map<string, number>();
  let request: PageRequest | undefined = start;
  let pageNumber = 0;
  let emptyInARow = 0;
  while (request) {
    const key = request.link?.token ?? request.continuationToken ?? request.link?.url;
    if (key !== undefined) read.set(await fingerprint(key), pageNumber + 1);
    const { data, response } = await fetchPage(request, correlationId);
    pageNumber++;
    const items = data.items ?? [];
    const next = data.links?.next;
    request = undefined;
    if (next) {
      const fail = (code: string, why: string) =>
        new PagingError(`links.next of page ${pageNumber} ${why}`, {
          code,
          requestId: response.requestId,
          correlationId: response.correlationId,
        });
      const link = linkRequest(next);
      if (!link)
        throw fail(
          'LinkRefused',
          'is refused: the client follows a GET of an API path with at most a continuation token',
        );
      const earlier = read.get(await fingerprint(link.token ?? link.url));
      if (earlier) throw fail('PageRepeated', `leads back to page ${earlier}: the listing would never end`);
      emptyInARow = items.length ? 0 : emptyInARow + 1;
      if (emptyInARow >= EMPTY_PAGES_MAX) throw fail('EmptyPages', `ends ${EMPTY_PAGES_MAX} empty pages in a row`);
      if (pageNumber >= maxPages) throw fail('PageLimit', `leads past maxPages (${maxPages})`);
      request = { link };
    }
    // The token of links.next, which the spec also puts on the page (Partner Center may not).
    yield { items, continuationToken: data.continuationToken ?? request?.link?.token, response };
  }
}

/** A {@link PagedList} over `fetchPage`: every iteration walks the pages anew, from the first. */
export function pagedList<T>(fetchPage: FetchPage<T>, maxPages: number, correlationId?: string): PagedList<T> {
  const byPage = (settings: PageSettings = {}) => walkPages(fetchPage, settings, maxPages, correlationId);
  return {
    async *[Symbol.asyncIterator]() {
      for await (const page of byPage()) yield* page.items;
    },
    byPage,
  };
}
