import type { ResponseInfo } from './call-types.js';

/** One page of a paged listing, as one response brought it. */
export interface Page<T> {
  /** The items of this page, in the order the service sent them. */
  items: T[];
  /**
   * The token of the next page (the `MS-ContinuationToken` of `links.next`); absent on the last
   * page. Pass it to `byPage({ continuationToken })` to continue from there later.
   */
  continuationToken?: string;
  /** What the response of this page said (each page is a call of its own, with its own `MS-RequestId`). */
  response: ResponseInfo;
}

/** Where `byPage()` starts. */
export interface PageSettings {
  /** Start at the page this token leads to (a page's `continuationToken`), instead of the first page. */
  continuationToken?: string;
}

/**
 * A paged listing (the pattern of the Azure SDKs' `PagedAsyncIterableIterator`): iterate it with
 * `for await` for the items, fetched a page at a time as the iteration reaches them, or call
 * `byPage()` for the pages themselves. Nothing is sent before the first item or page is asked
 * for, and each iteration lists anew from the first page.
 *
 * @example
 * for await (const customer of client.listCustomers()) console.log(customer.companyProfile.companyName);
 * for await (const page of client.listCustomers({ size: 100 }).byPage()) console.log(page.items.length);
 */
export interface PagedList<T> extends AsyncIterable<T> {
  /**
   * The pages, one request each, following `links.next` until a page has none. Every call starts
   * a new walk, from the first page or from `settings.continuationToken`.
   */
  byPage(settings?: PageSettings): AsyncIterableIterator<Page<T>>;
}
