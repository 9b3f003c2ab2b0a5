import type { WithResponse } from '../../core/call-promise.js';
import type { Page, PagedList, PageSettings } from '../../core/paging.js';
import type { Link } from '../../generated/models/index.js';
import type { LinkRequest } from './link-follower.js';

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

/** The walk of `page-walk.ts`, loaded with its first page: a client that lists nothing never loads it. */
async function* lazyWalk<T>(
  fetchPage: FetchPage<T>,
  start: PageRequest,
  maxPages: number,
  correlationId: string | undefined,
): AsyncGenerator<Page<T>, void, undefined> {
  const { walkPages } = await import('./page-walk.js');
  yield* walkPages(fetchPage, start, maxPages, correlationId);
}

/** A {@link PagedList} over `fetchPage`: every iteration walks the pages anew, from the first. */
export function pagedList<T>(fetchPage: FetchPage<T>, maxPages: number, correlationId?: string): PagedList<T> {
  const byPage = (settings: PageSettings = {}) => lazyWalk(fetchPage, settings, maxPages, correlationId);
  return {
    async *[Symbol.asyncIterator]() {
      for await (const page of byPage()) yield* page.items;
    },
    byPage,
  };
}
