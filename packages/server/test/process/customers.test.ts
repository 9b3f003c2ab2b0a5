import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ServerConfig } from '../../src/partners/config-format.js';
import { parseConfig } from '../../src/partners/config-reader.js';
import {
  demoConfig,
  demoPartner,
  jsonHeaders,
  type RawRequest,
  type RawResponse,
  randomPartner,
  startServerProcess,
} from '../../src/testing/index.js';
import { sendConforming } from '../support/spec-conformance.js';
import { scratchDir, useServer } from '../support/use-server.js';

// The demo partner with its generated portfolio, and another partner with a few customers a
// filter can tell apart.
const other = {
  ...randomPartner('Other partner'),
  customers: [
    { id: randomUUID(), name: 'Ölund Trading AB', domain: 'olund.onmicrosoft.com', associatedPartnerId: 'Reseller-7' },
    { id: randomUUID(), name: 'Contoso Pharmaceuticals', domain: 'contosopharma.onmicrosoft.com' },
    { id: randomUUID(), name: 'Northwind', domain: 'nw.onmicrosoft.com', indirectProvider: 'provider-9' },
  ],
};
const otherToken = other.tokens[0] as string;
const server = useServer({ partners: [...demoConfig.partners, other] }, { db: ':memory:' });
const portfolio = parseConfig(demoConfig).partners[0]?.customers ?? [];

interface Link {
  uri: string;
  method: string;
  headers: { key: string; value: string }[];
}
interface Page {
  totalCount: number;
  items: { id: string; companyProfile: { companyName: string; domain: string; tenantId: string } }[];
  links: { self: Link; next?: Link };
  continuationToken?: string;
}

const call = (request: RawRequest) => sendConforming(server.current.url, request);
const json = <T = Record<string, unknown>>(response: RawResponse) => JSON.parse(response.text) as T;
const list = (query = '', token: string = demoPartner.token, headers: Record<string, string> = {}) =>
  call({ path: `/v1/customers${query}`, headers: jsonHeaders(token, headers) });
const filterQuery = (filter: unknown) =>
  `filter=${encodeURIComponent(typeof filter === 'string' ? filter : JSON.stringify(filter))}`;
const startsWith = (Field: string, Value: string) => ({ Field, Value, Operator: 'starts_with' });

/** Follows `links.next` from a first page as the spec says: its method, its URI, every one of its headers. */
async function walk(first: RawResponse, token: string = demoPartner.token): Promise<Page[]> {
  const pages = [json<Page>(first)];
  for (let next = pages[0]?.links.next; next; next = pages.at(-1)?.links.next) {
    const headers = Object.fromEntries(next.headers.map(({ key, value }) => [key, value]));
    const response = await call({ method: next.method, path: next.uri, headers: jsonHeaders(token, headers) });
    expect(response.status).toBe(200);
    pages.push(json<Page>(response));
  }
  return pages;
}

const fault = (response: RawResponse) => [response.status, json(response).code, json(response).data];

describe('the customer list', () => {
  it('pages through the whole demo portfolio, every customer exactly once, in a stable order', async () => {
    const pages = await walk(await list('?size=7'));
    expect(pages).toHaveLength(Math.ceil(demoPartner.portfolioSize / 7));
    const ids = pages.flatMap((page) => page.items.map(({ id }) => id));
    expect(ids).toEqual(portfolio.map(({ id }) => id));
    expect(new Set(ids).size).toBe(demoPartner.portfolioSize);
    for (const page of pages) expect(page.totalCount).toBe(page.items.length);
    // Every page but the last has a next link, whose token is the page's continuationToken.
    for (const page of pages.slice(0, -1)) {
      expect(page.links.next).toMatchObject({ uri: '/v1/customers?seekOperation=Next', method: 'GET' });
      expect(page.links.next?.headers).toEqual([{ key: 'MS-ContinuationToken', value: page.continuationToken }]);
    }
    const last = pages.at(-1);
    expect(last?.links.next).toBeUndefined();
    expect(last).not.toHaveProperty('continuationToken');
    expect(last?.links.self.uri).toBe('/v1/customers?seekOperation=Next');
    expect(pages[0]?.links.self).toEqual({ uri: '/v1/customers?size=7', method: 'GET', headers: [] });
  });

  it("lists each customer's company profile as the config gives it", async () => {
    const page = json<Page>(await list('?size=3'));
    expect(page.items[0]).toEqual({
      id: demoPartner.customerId,
      companyProfile: {
        tenantId: demoPartner.customerId,
        domain: 'contoso.onmicrosoft.com',
        companyName: 'Contoso Ltd',
        attributes: { objectType: 'CustomerCompanyProfile' },
      },
      relationshipToPartner: 'reseller',
      attributes: { objectType: 'Customer' },
    });
    expect(page.items.map(({ companyProfile }) => companyProfile.companyName)).toEqual(
      portfolio.slice(0, 3).map(({ name }) => name),
    );
  });

  it('answers 500 customers a page without size, so the demo portfolio is one page', async () => {
    const page = json<Page>(await list());
    expect(page.totalCount).toBe(demoPartner.portfolioSize);
    expect(page.links).toEqual({ self: { uri: '/v1/customers', method: 'GET', headers: [] } });
  });

  it('continues the same way with the seek call (seekOperation=Next and the continuationToken), and again on a resend', async () => {
    const first = json<Page>(await list('?size=100'));
    const token = first.continuationToken as string;
    const seek = () => list('?seekOperation=Next', demoPartner.token, { 'MS-ContinuationToken': token });
    const second = json<Page>(await seek());
    expect(second.items.map(({ id }) => id)).toEqual(portfolio.slice(100, 200).map(({ id }) => id));
    expect(second.links.self).toEqual({
      uri: '/v1/customers?seekOperation=Next',
      method: 'GET',
      headers: [{ key: 'MS-ContinuationToken', value: token }],
    });
    // A token may be sent again, after a timeout say: it continues from the same position.
    expect((await seek()).text).toBe(JSON.stringify(second));
  });

  it('accepts app-only tokens, as the spec says', async () => {
    const response = await list('?size=1', demoPartner.appOnlyToken);
    expect(response.status).toBe(200);
  });

  it("lists only the caller's customers", async () => {
    const page = json<Page>(await list('', otherToken));
    expect(page.items.map(({ id }) => id)).toEqual(other.customers.map(({ id }) => id));
  });
});

describe('the filter', () => {
  it('lists the customers whose field starts with the value, regardless of case', async () => {
    const names = async (filter: unknown) =>
      json<Page>(await list(`?${filterQuery(filter)}`, otherToken)).items.map(
        ({ companyProfile }) => companyProfile.companyName,
      );
    expect(await names(startsWith('CompanyName', 'CONTOSO'))).toEqual(['Contoso Pharmaceuticals']);
    expect(await names(startsWith('CompanyName', 'ölu'))).toEqual(['Ölund Trading AB']);
    expect(await names(startsWith('Domain', 'NW.'))).toEqual(['Northwind']);
    expect(await names(startsWith('IndirectReseller', 'reseller'))).toEqual(['Ölund Trading AB']);
    expect(await names(startsWith('IndirectCloudSolutionProvider', 'Provider-9'))).toEqual(['Northwind']);
    expect(await names(startsWith('CompanyName', 'Fabrikam'))).toEqual([]);
    // Whitespace and member order are JSON's business.
    expect(await names(' { "Operator" : "starts_with", "Value": "north", "Field": "CompanyName" } ')).toEqual([
      'Northwind',
    ]);
  });

  it('keeps filtering across pages: the token carries it', async () => {
    const prefix = (portfolio[5]?.name ?? '').slice(0, 2);
    const expected = portfolio.filter(({ name }) => name.toLowerCase().startsWith(prefix.toLowerCase()));
    expect(expected.length).toBeGreaterThan(2);
    const pages = await walk(await list(`?size=2&${filterQuery(startsWith('CompanyName', prefix))}`));
    expect(pages.flatMap((page) => page.items.map(({ id }) => id))).toEqual(expected.map(({ id }) => id));
    expect(pages[0]?.links.self.uri).toBe(`/v1/customers?size=2&${filterQuery(startsWith('CompanyName', prefix))}`);
  });
});

describe('bad paging input', () => {
  const valid = async () => json<Page>(await list('?size=2')).continuationToken as string;

  it('refuses a seekOperation other than Next, and a token without it (InvalidSeekOperation)', async () => {
    const previous = await list('?seekOperation=Previous', demoPartner.token, {
      'MS-ContinuationToken': await valid(),
    });
    expect(fault(previous)).toEqual([400, 'InvalidSeekOperation', ['seekOperation']]);
    expect(json(previous).description).toBe("Invalid seekOperation 'Previous': the only seek operation is Next.");
    for (const seek of ['next', '0', '', 'Next&seekOperation=Next']) {
      expect(fault(await list(`?seekOperation=${seek}`)), seek).toEqual([
        400,
        'InvalidSeekOperation',
        ['seekOperation'],
      ]);
    }
    const tokenAlone = await list('', demoPartner.token, { 'MS-ContinuationToken': await valid() });
    expect(fault(tokenAlone)).toEqual([400, 'InvalidSeekOperation', ['seekOperation']]);
    expect(json(tokenAlone).description).toBe(
      'MS-ContinuationToken is read only with seekOperation=Next. Send the request of links.next as it is.',
    );
  });

  it('refuses a malformed, tampered, or foreign continuation token, and Next without one (InvalidContinuationToken)', async () => {
    const token = await valid();
    const [version, payload = '', signature = ''] = token.split('.');
    const flip = (text: string, at: number) => text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    const foreign = json<Page>(await list('?size=1', otherToken)).continuationToken as string;
    const forged = `${version}.${Buffer.from('[500,0]').toString('base64url')}.${signature}`;
    const cases = [
      'abc',
      'v1..',
      `${token}.extra`,
      `v2.${payload}.${signature}`,
      `${version}.${flip(payload, 1)}.${signature}`,
      `${version}.${payload}.${flip(signature, 5)}`,
      `${version}.${payload}.${signature}=`,
      forged,
      foreign,
      'x'.repeat(3000),
    ];
    for (const bad of cases) {
      const response = await list('?seekOperation=Next', demoPartner.token, { 'MS-ContinuationToken': bad });
      expect(fault(response), bad).toEqual([400, 'InvalidContinuationToken', ['MS-ContinuationToken']]);
    }
    // The foreign token still works for its own partner.
    const own = await list('?seekOperation=Next', otherToken, { 'MS-ContinuationToken': foreign });
    expect(own.status).toBe(200);
    const missing = await list('?seekOperation=Next');
    expect(fault(missing)).toEqual([400, 'InvalidContinuationToken', ['MS-ContinuationToken']]);
    expect(json(missing).description).toBe('seekOperation=Next needs the MS-ContinuationToken header of links.next.');
  });

  it('refuses a size out of 1 to 500, or one sent with a token (InvalidPageSize)', async () => {
    const tooBig = await list('?size=501');
    expect(fault(tooBig)).toEqual([400, 'InvalidPageSize', ['size']]);
    expect(json(tooBig).description).toBe("Invalid size '501': it must be an integer from 1 to 500. Omit it for 500.");
    for (const size of ['0', '-1', '1.5', 'ten', '', '1e2', '9999999999', '5&size=6']) {
      expect(fault(await list(`?size=${size}`)), size).toEqual([400, 'InvalidPageSize', ['size']]);
    }
    expect((await list('?size=500')).status).toBe(200);
    expect((await list('?size=1')).status).toBe(200);
    const withToken = await list('?seekOperation=Next&size=2', demoPartner.token, {
      'MS-ContinuationToken': await valid(),
    });
    expect(fault(withToken)).toEqual([400, 'InvalidPageSize', ['size']]);
    expect(json(withToken).description).toBe(
      'A continuation request takes its size from MS-ContinuationToken; send no size with it.',
    );
  });

  it('refuses a filter that is not the documented JSON, or one sent with a token (InvalidFilter)', async () => {
    const cases: [unknown, string][] = [
      ['CompanyName eq Contoso', 'it must be a JSON object such as'],
      ['[1]', 'it must be a JSON object such as'],
      [
        startsWith('Name', 'Cont'),
        "Field must be CompanyName, Domain, IndirectReseller or IndirectCloudSolutionProvider, not 'Name'.",
      ],
      [
        { ...startsWith('CompanyName', 'Cont'), Operator: 'equals' },
        "Operator must be starts_with, the only operator Partner Center supports, not 'equals'.",
      ],
      [{ field: 'CompanyName', Value: 'Cont', Operator: 'starts_with' }, "it has no member 'field'"],
      [{ Field: 'CompanyName', Operator: 'starts_with' }, 'Value is missing'],
      [startsWith('CompanyName', ''), 'Value must be a string of 1 to 256 characters.'],
      [startsWith('CompanyName', 'x'.repeat(257)), 'Value must be a string of 1 to 256 characters.'],
      [{ ...startsWith('CompanyName', 'Cont'), Value: 5 }, 'Value must be a string'],
      [
        '{"Field":"Domain","Field":"CompanyName","Value":"C","Operator":"starts_with"}',
        'it must be one JSON object with each of Field, Value and Operator once',
      ],
    ];
    for (const [filter, problem] of cases) {
      const response = await list(`?${filterQuery(filter)}`);
      expect(fault(response), String(filter)).toEqual([400, 'InvalidFilter', ['filter']]);
      expect(json(response).description).toContain(`Invalid filter: ${problem}`);
    }
    const withToken = await list(
      `?seekOperation=Next&${filterQuery(startsWith('CompanyName', 'C'))}`,
      demoPartner.token,
      {
        'MS-ContinuationToken': await valid(),
      },
    );
    expect(fault(withToken)).toEqual([400, 'InvalidFilter', ['filter']]);
  });

  it("bounds the filter's text at the spec's maxLength (2048), whitespace included", async () => {
    // A valid filter padded with JSON whitespace to the limit, and one character past it.
    const filter = JSON.stringify(startsWith('CompanyName', 'Cont'));
    const padded = (length: number) => `${filter.slice(0, -1)}${' '.repeat(length - filter.length)}}`;
    const atLimit = await list(`?${filterQuery(padded(2048))}`);
    expect(atLimit.status).toBe(200);
    const pastLimit = await list(`?${filterQuery(padded(2049))}`);
    expect(fault(pastLimit)).toEqual([400, 'InvalidFilter', ['filter']]);
    expect(json(pastLimit).description).toContain('in at most 2048 characters');
  });

  it("reports the first problem in the spec's order: seekOperation, token, size, filter", async () => {
    const badFilter = filterQuery('nope');
    expect(fault(await list(`?seekOperation=Last&size=0&${badFilter}`))[1]).toBe('InvalidSeekOperation');
    expect(
      fault(
        await list(`?seekOperation=Next&size=0&${badFilter}`, demoPartner.token, { 'MS-ContinuationToken': 'bad' }),
      )[1],
    ).toBe('InvalidContinuationToken');
    expect(fault(await list(`?size=0&${badFilter}`))[1]).toBe('InvalidPageSize');
  });

  it('ignores query parameters the spec does not declare', async () => {
    expect((await list('?offset=10&size=1')).status).toBe(200);
  });
});

describe('continuation tokens across restarts', () => {
  it('open after a restart only when the config gives the secret', async () => {
    const scratch = scratchDir();
    const partner = randomPartner('Restarted partner', 3);
    const db = `${scratch.dir}/restart.sqlite`;
    const secret = randomUUID() + randomUUID();
    const next = async (config: ServerConfig, token?: string) => {
      const started = await startServerProcess({ config, db, args: ['--no-access-log'] });
      try {
        const headers = jsonHeaders(partner.tokens[0], token ? { 'MS-ContinuationToken': token } : {});
        const path = token ? '/v1/customers?seekOperation=Next' : '/v1/customers?size=1';
        return await sendConforming(started.url, { path, headers });
      } finally {
        await started.stop();
      }
    };
    try {
      const withSecret = { partners: [partner], continuationTokenSecret: secret };
      const token = json<Page>(await next(withSecret)).continuationToken;
      expect(json<Page>(await next(withSecret, token)).items.map(({ id }) => id)).toEqual([partner.customers[1]]);
      expect((await next({ partners: [partner] }, token)).status).toBe(400);
    } finally {
      scratch.remove();
    }
  });
});
