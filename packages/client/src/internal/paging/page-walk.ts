import type { WithResponse } from '../../core/call-promise.js';
import type { ResponseInfo } from '../../core/call-types.js';
import { PagingError } from '../../core/errors.js';
import type { Page } from '../../core/paging.js';
import type { CustomerMonthlyUsageRecord } from '../../core/usage-models.js';
import { linkRequest } from './link-follower.js';
import type { FetchPage, PageRequest } from './paged-list.js';

// Loaded with a listing's first page (see paged-list.ts): a client that lists nothing never loads it.

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

/**
 * The records of every page of the usage records (`listCustomerUsageRecords`), and the last page's
 * response. They are one per customer: pages that bring the same customers again are a loop,
 * whatever their links say, and end the walk with a `PagingError` (`PageRepeated`).
 */
export async function allUsageRecords(
  fetchPage: FetchPage<CustomerMonthlyUsageRecord>,
  maxPages: number,
  correlationId: string | undefined,
): Promise<WithResponse<CustomerMonthlyUsageRecord[]>> {
  const data: CustomerMonthlyUsageRecord[] = [];
  const customers = new Set<string>();
  let response: ResponseInfo | undefined;
  let pageNumber = 0;
  for await (const page of walkPages(fetchPage, {}, maxPages, correlationId)) {
    pageNumber++;
    const repeated = page.items.find(({ resourceId }) => customers.has(resourceId));
    if (repeated) {
      throw new PagingError(`page ${pageNumber} of the usage records repeats customer ${repeated.resourceId}`, {
        code: 'PageRepeated',
        requestId: page.response.requestId,
        correlationId: page.response.correlationId,
      });
    }
    for (const { resourceId } of page.items) customers.add(resourceId);
    data.push(...page.items);
    response = page.response;
  }
  return { data, response: response as ResponseInfo };
}
