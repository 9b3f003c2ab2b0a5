import { type Customer, clientDefaults } from '@usagebudget/client';
import { PAGE_SIZE } from '@usagebudget/openapi/limits';
import { CommandLineError } from '../command-line/error.js';
import { numberOption } from '../command-line/values.js';
import { ExitCode } from '../exit-codes.js';
import { type Column, listing, plural, type Style } from '../output.js';
import { jsonLine } from '../terminal-text.js';
import type { Command } from './command.js';

/** The most customers one page of `customers` may ask for: the spec's limit of `size`. */
export const MAX_PAGE_SIZE = PAGE_SIZE.maximum;
/** The most pages `customers` reads by default: the client's. */
export const DEFAULT_MAX_PAGES = clientDefaults.maxPages;
const MAX_MAX_PAGES = 1_000_000;

/**
 * `customers`: every customer, a page at a time as the client follows `links.next`. With
 * `--json` each customer is printed as its page arrives (a JSON line each), so a listing of any
 * length needs no more memory than a page; the table waits for the last page, to align it.
 */
export const customersCommand: Command<'customers', { pageSize?: number; maxPages?: number }> = {
  name: 'customers',
  arguments: [],
  options: { 'page-size': { type: 'string' }, 'max-pages': { type: 'string' } },
  help: {
    synopsis: 'usagebudget customers [--page-size N] [--max-pages N] [options]',
    summary:
      'Lists every customer of the partner: ID, company name, domain and relationship. The pages of\n' +
      'the service are followed one after another; with --json each customer is printed as its page\n' +
      'arrives, one JSON line each.',
    examples: `  usagebudget customers
  usagebudget customers --json | jq -r .customerName
  usagebudget customers --page-size 100 --json > customers.jsonl`,
    options: `  --page-size N           customers per request to the service, 1 to ${MAX_PAGE_SIZE} (default: the service's, ${MAX_PAGE_SIZE})
  --max-pages N           stop with exit code 7 past N pages (default ${DEFAULT_MAX_PAGES}); a listing also
                          stops at a page that leads back to an earlier one, and after 10 empty
                          pages in a row`,
  },
  parse(words) {
    const pageSize = pagesOption(words.text('page-size'), 'page-size', MAX_PAGE_SIZE);
    const maxPages = pagesOption(words.text('max-pages'), 'max-pages', MAX_MAX_PAGES);
    return { ...(pageSize !== undefined && { pageSize }), ...(maxPages !== undefined && { maxPages }) };
  },
  async run({ pageSize, maxPages, settings }, context) {
    const { client } = context.connect(maxPages === undefined ? {} : { maxPages });
    const customers = client.listCustomers(pageSize === undefined ? {} : { size: pageSize }, context.callOptions);
    if (settings.json) {
      for await (const customer of customers) context.write(customerLine(customer));
      return ExitCode.ok;
    }
    const all: Customer[] = [];
    for await (const customer of customers) all.push(customer);
    context.write(customersTable(all, context.style));
    return ExitCode.ok;
  },
};

/** `--page-size` or `--max-pages`: absent, or a whole number from 1 to `max`. */
function pagesOption(text: string | undefined, option: string, max: number): number | undefined {
  if (text === undefined) return undefined;
  const count = numberOption(text, 0, (n) => Number.isInteger(n) && n >= 1 && n <= max);
  if (count === undefined) throw new CommandLineError(`--${option} takes a whole number from 1 to ${max}`, 'customers');
  return count;
}

/** `customers --json`: one line a customer, these keys in this order. */
export function customerLine(customer: Customer): string {
  const { id, companyProfile, relationshipToPartner } = customer;
  return jsonLine({
    customerId: id,
    customerName: companyProfile.companyName,
    domain: companyProfile.domain,
    relationshipToPartner,
  });
}

/** `customers`: an aligned table, then how many. */
export function customersTable(customers: readonly Customer[], s: Style): string {
  const columns: Column<Customer>[] = [
    { title: 'Customer ID', cell: (customer) => customer.id },
    { title: 'Company name', cell: (customer) => customer.companyProfile.companyName },
    { title: 'Domain', cell: (customer) => customer.companyProfile.domain },
    { title: 'Relationship', cell: (customer) => customer.relationshipToPartner },
  ];
  return `${customers.length > 0 ? listing(columns, customers, s) : ''}${plural(customers.length, 'customer')}\n`;
}
