import { spec } from '@usagebudget/openapi';
import { CUSTOMER_FILTER, FILTER, PAGE_SIZE } from '@usagebudget/openapi/limits';
import { nodeAt } from '@usagebudget/openapi/pointer';
import { repeatedJsonMembers } from '@usagebudget/openapi/rules';
import type { OpenAPIV3 } from 'openapi-types';
import type { OperationRule, ParameterRule } from '../contract/compile-contract.js';
import { faults, shown } from '../contract/faults.js';
import { specValidator } from '../contract/spec-validator.js';
import type { Operation, OperationCall } from '../http/operation.js';
import type { CustomerField, CustomerPrefix, CustomerRecord, CustomerStore } from '../storage/customer-store.js';
import type { ContinuationTokens, ListingPosition } from './continuation-token.js';

/** The store field each of the spec's `CustomerFilter.Field` values filters on. */
const FILTER_FIELDS: Readonly<Record<string, CustomerField>> = {
  CompanyName: 'companyName',
  Domain: 'domain',
  IndirectReseller: 'associatedPartnerId',
  IndirectCloudSolutionProvider: 'indirectProvider',
};

const CONTINUATION_TOKEN = 'MS-ContinuationToken';
const NEXT = 'Next';
const FILTER_EXAMPLE = '{"Field":"CompanyName","Value":"Cont","Operator":"starts_with"}';

/** `a, b, c or d` (or `and`). */
function joined(values: readonly unknown[], last: 'or' | 'and'): string {
  const names = values.map(String);
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} ${last} ${names.at(-1)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function queryParameter(operation: OperationRule, name: string): ParameterRule {
  const found = operation.queryParameters.find((parameter) => parameter.name === name);
  if (!found) throw new Error(`the spec gives ${operation.operationId} no query parameter ${name}`);
  return found;
}

/**
 * The rules of `listCustomers`' query, from the spec: the page size's bounds and default, the
 * filter's schema as text, its decoded schema (`x-contentSchema`) and the values of its members.
 */
function pagingRules(operation: OperationRule) {
  const filter = queryParameter(operation, 'filter');
  const seek = queryParameter(operation, 'seekOperation').schema;
  const contentRef = (filter.schema as { 'x-contentSchema'?: OpenAPIV3.ReferenceObject })['x-contentSchema']?.$ref;
  if (!contentRef) throw new Error('the spec gives the filter parameter no x-contentSchema');
  const filterSchema = nodeAt(spec, contentRef) as OpenAPIV3.SchemaObject;
  const member = (name: string) => filterSchema.properties?.[name] as OpenAPIV3.SchemaObject;
  const fields = member('Field').enum as string[];
  const unmapped = fields.filter((field) => !(field in FILTER_FIELDS));
  if (unmapped.length > 0) throw new Error(`the spec's filter fields ${unmapped.join(', ')} have no store field`);
  return {
    minSize: PAGE_SIZE.minimum,
    maxSize: PAGE_SIZE.maximum,
    defaultSize: PAGE_SIZE.default,
    seekOperations: (seek.enum ?? [NEXT]) as string[],
    members: Object.keys(filterSchema.properties ?? {}),
    fields,
    operators: member('Operator').enum as string[],
    checkValue: specValidator.compile(`${contentRef}/properties/Value`),
    valueLength: `${CUSTOMER_FILTER.Value.minLength} to ${CUSTOMER_FILTER.Value.maxLength}`,
    checkDecoded: specValidator.compile(contentRef),
    checkRaw: filter.check,
  };
}

type PagingRules = ReturnType<typeof pagingRules>;

/** The one value of a query parameter: `undefined` when absent; repeated, it is refused by `repeated`. */
function single(query: URLSearchParams, name: string, repeated: (values: string[]) => Error): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw repeated(values);
  return values[0];
}

/** The filter a request's `filter` parameter names, or a 400 `InvalidFilter` saying what is wrong with it. */
function readFilter(raw: string, rules: PagingRules): CustomerPrefix {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  if (!isRecord(value)) throw faults.invalidFilter(`it must be a JSON object such as ${FILTER_EXAMPLE}.`);
  const members = `the members are ${joined(rules.members, 'and')}, spelled so`;
  const unknown = Object.keys(value).find((key) => !rules.members.includes(key));
  if (unknown !== undefined) throw faults.invalidFilter(`it has no member '${shown(unknown)}': ${members}.`);
  const missing = rules.members.find((name) => !(name in value));
  if (missing !== undefined) throw faults.invalidFilter(`${missing} is missing: ${members}.`);
  if (!rules.fields.includes(value.Field as string)) {
    throw faults.invalidFilter(`Field must be ${joined(rules.fields, 'or')}, not '${shown(value.Field)}'.`);
  }
  if (!rules.checkValue(value.Value).valid) {
    throw faults.invalidFilter(`Value must be a string of ${rules.valueLength} characters.`);
  }
  if (!rules.operators.includes(value.Operator as string)) {
    throw faults.invalidFilter(
      `Operator must be ${joined(rules.operators, 'or')}, the only operator Partner Center supports, not '${shown(value.Operator)}'.`,
    );
  }
  // What the checks above let through still has to be the spec's filter, as JSON text too: each
  // member once (the parameter's description; JSON.parse keeps the last of a repeated member) and
  // within the parameter's schema (its maxLength).
  if (!rules.checkDecoded(value).valid || repeatedJsonMembers(raw).length > 0 || !rules.checkRaw(raw).valid) {
    throw faults.invalidFilter(
      `it must be one JSON object with each of Field, Value and Operator once, in at most ${FILTER.maxLength} characters, such as ${FILTER_EXAMPLE}.`,
    );
  }
  return { field: FILTER_FIELDS[value.Field as string] as CustomerField, prefix: value.Value as string };
}

/**
 * Where the request starts reading: the position its continuation token holds, or the first page
 * of its `size` and `filter`. The checks run in the order the spec gives for reporting one
 * problem of several: seekOperation, continuation token, size, filter.
 */
function positionOf(call: OperationCall, rules: PagingRules, tokens: ContinuationTokens): ListingPosition {
  const { query, headers, partner } = call;
  const seek = single(query, 'seekOperation', (values) => faults.invalidSeekOperation(values.join(',')));
  const header = headers[CONTINUATION_TOKEN.toLowerCase()];
  const token = Array.isArray(header) ? header.join(',') : header;
  if (seek !== undefined && !rules.seekOperations.includes(seek)) throw faults.invalidSeekOperation(seek);
  if (seek === undefined && token !== undefined) throw faults.tokenWithoutSeekOperation();
  if (seek !== undefined && token === undefined) throw faults.missingContinuationToken();
  const continued = token === undefined ? undefined : tokens.read(partner.id, token);
  if (token !== undefined && continued === undefined) throw faults.invalidContinuationToken();
  const size = single(query, 'size', (values) =>
    faults.invalidPageSize(values.join(','), rules.minSize, rules.maxSize),
  );
  const filter = single(query, 'filter', () => faults.invalidFilter('it is given more than once; send one filter.'));
  if (continued) {
    if (size !== undefined) throw faults.sizeWithContinuationToken();
    if (filter !== undefined) throw faults.filterWithContinuationToken();
    return continued;
  }
  let pageSize: number = rules.defaultSize;
  if (size !== undefined) {
    pageSize = /^[0-9]{1,9}$/.test(size) ? Number(size) : Number.NaN;
    if (!(pageSize >= rules.minSize && pageSize <= rules.maxSize)) {
      throw faults.invalidPageSize(size, rules.minSize, rules.maxSize);
    }
  }
  return { size: pageSize, filter: filter === undefined ? undefined : readFilter(filter, rules), offset: 0 };
}

function customerJson(customer: CustomerRecord) {
  return {
    id: customer.id,
    companyProfile: {
      tenantId: customer.id,
      domain: customer.domain,
      companyName: customer.companyName,
      attributes: { objectType: 'CustomerCompanyProfile' },
    },
    relationshipToPartner: customer.relationship,
    ...(customer.associatedPartnerId === undefined ? {} : { associatedPartnerId: customer.associatedPartnerId }),
    attributes: { objectType: 'Customer' },
  };
}

/** The query of a first page's self link: its `size` and `filter` as sent. */
function firstPageQuery(query: URLSearchParams): string {
  const parts = ['size', 'filter'].flatMap((name) => {
    const value = query.get(name);
    return value === null ? [] : [`${name}=${encodeURIComponent(value)}`];
  });
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** `GET /v1/customers`, paged by continuation tokens (see the spec's "Paging"). */
export function customerOperations(
  store: CustomerStore,
  tokens: ContinuationTokens,
  rulesOf: (operationId: string) => OperationRule,
): Readonly<Record<string, Operation>> {
  const rules = pagingRules(rulesOf('listCustomers'));
  return {
    listCustomers: {
      checksItself: [CONTINUATION_TOKEN],
      handle: async (call) => {
        const position = positionOf(call, rules, tokens);
        const found = await store.listCustomers(call.partner.id, position.filter, position.offset, position.size + 1);
        const page = found.slice(0, position.size);
        const sentToken = call.headers[CONTINUATION_TOKEN.toLowerCase()];
        const self =
          typeof sentToken === 'string'
            ? {
                uri: `${call.selfUri}?seekOperation=${NEXT}`,
                method: 'GET',
                headers: [{ key: CONTINUATION_TOKEN, value: sentToken }],
              }
            : { uri: `${call.selfUri}${firstPageQuery(call.query)}`, method: 'GET', headers: [] };
        const nextToken =
          found.length > position.size
            ? tokens.issue(call.partner.id, { ...position, offset: position.offset + position.size })
            : undefined;
        const next = nextToken && {
          uri: `${call.selfUri}?seekOperation=${NEXT}`,
          method: 'GET',
          headers: [{ key: CONTINUATION_TOKEN, value: nextToken }],
        };
        const body = {
          totalCount: page.length,
          items: page.map(customerJson),
          links: next ? { self, next } : { self },
          ...(nextToken ? { continuationToken: nextToken } : {}),
          attributes: { objectType: 'Collection' },
        };
        return { status: 200, body: JSON.stringify(body) };
      },
    },
  };
}
