import type { WithResponse } from '../core/call-promise.js';
import { PartnerCenterError } from '../core/errors.js';
import type { Page, PagedList, PageSettings } from '../core/paging.js';
import type { Link } from '../generated/models/index.js';

/** What a paged response holds: `CustomerCollection`, `CustomerMonthlyUsageRecordCollection`. */
export interface CollectionBody<T> {
  items?: T[];
  continuationToken?: string;
  links?: { next?: Link };
}

/** Which page to fetch: a `links.next`, or the one a continuation token leads to (the first without either). */
export interface PageRequest {
  link?: Link;
  continuationToken?: string;
}

/** Fetches one page as one call; every page of a walk shares `correlationId`. */
export type FetchPage<T> = (request: PageRequest, correlationId: string) => Promise<WithResponse<CollectionBody<T>>>;

const CONTINUATION_HEADER = 'ms-continuationtoken';

/**
 * The pages from `start`, one call each, following `links.next` until a page has none. One `MS-CorrelationId` for the whole walk, as
 * the spec asks; each page gets its own `MS-RequestId` from its call.
 */
export async function* walkPages<T>(
  fetchPage: FetchPage<T>,
  start: PageRequest,
  correlationId: string = crypto.randomUUID(),
): AsyncGenerator<Page<T>, void, undefined> {
  let request: PageRequest | undefined = start;
  let followed: string | undefined;
  while (request) {
    const { data, response } = await fetchPage(request, correlationId);
    const next = data.links?.next;
    // A next page that is the page just read would be listed forever (the same token, the same place).
    const link = next && JSON.stringify(next);
    if (link && link === followed) throw new PartnerCenterError(`links.next repeats its page: ${next?.uri}`);
    followed = link;
    // The token of links.next, which the spec also puts on the page (Partner Center may not).
    const continuationToken =
      data.continuationToken ?? next?.headers?.find(({ key }) => key.toLowerCase() === CONTINUATION_HEADER)?.value;
    yield { items: data.items ?? [], continuationToken, response };
    request = next && { link: next };
  }
}

/** A {@link PagedList} over `fetchPage`: every iteration walks the pages anew, from the first. */
export function pagedList<T>(fetchPage: FetchPage<T>, correlationId?: string): PagedList<T> {
  const byPage = (settings: PageSettings = {}) => walkPages(fetchPage, settings, correlationId);
  return {
    async *[Symbol.asyncIterator]() {
      for await (const page of byPage()) yield* page.items;
    },
    byPage,
  };
}
