// Checks the customer list and usage operations against the decisions of the spec's "Paging",
// "Token kinds", "Money and decimals" and budget sections (facts in
// shared/reference/usage-resources.md), on the bundle other workspaces consume.
import { readFileSync } from 'node:fs';
import { spec, specPaths } from '@usagebudget/openapi';
import { costProperties, specOperations } from '@usagebudget/openapi/operations';
import { resolveReference } from '@usagebudget/openapi/pointer';
import { repeatedJsonMembers } from '@usagebudget/openapi/rules';
import { createSpecValidator } from '@usagebudget/openapi/validator';
import type { OpenAPIV3 } from 'openapi-types';
import { describe, expect, it } from 'vitest';

const validator = createSpecValidator(spec);
const operations = specOperations(spec);
const deref = <T>(node: T | OpenAPIV3.ReferenceObject): T => resolveReference(spec, node).value;
const component = <T>(pointer: string): T => deref<T>({ $ref: pointer });
const example = (name: string) =>
  component<OpenAPIV3.ExampleObject>(`#/components/examples/${name}`).value as Record<string, unknown>;
const operation = (operationId: string) => {
  const entry = operations.find((candidate) => candidate.operation.operationId === operationId);
  if (!entry) throw new Error(`no operation ${operationId}`);
  return entry.operation as OpenAPIV3.OperationObject & { 'x-token-kinds'?: string[] };
};
const faultExamples = (response: OpenAPIV3.ResponseObject | OpenAPIV3.ReferenceObject | undefined) =>
  Object.entries(
    deref<OpenAPIV3.ResponseObject>(response ?? { $ref: '#/missing' }).content?.['application/json']?.examples ?? {},
  ).map(([name, value]) => ({
    name,
    ...(deref<OpenAPIV3.ExampleObject>(value).value as { code: unknown; data?: unknown[] }),
  }));
const section = (name: string) => spec.tags?.find((tag) => tag.name === name)?.description ?? '';

describe('the customer list', () => {
  const parameters = (operation('listCustomers').parameters ?? []).map((parameter) =>
    deref<OpenAPIV3.ParameterObject>(parameter),
  );

  it('takes size, filter, seekOperation and MS-ContinuationToken, none required', () => {
    expect(parameters.map(({ name, in: where, required }) => [name, where, required])).toEqual([
      ['size', 'query', false],
      ['filter', 'query', false],
      ['seekOperation', 'query', false],
      ['MS-ContinuationToken', 'header', false],
    ]);
  });

  it('bounds size to 1..500 with a default of 500', () => {
    const size = '#/components/parameters/PageSize/schema';
    expect(component(size)).toMatchObject({ type: 'integer', minimum: 1, maximum: 500, default: 500 });
    for (const good of [1, 250, 500]) expect(validator.validate(size, good).valid, String(good)).toBe(true);
    for (const bad of [0, 501, -1, 2.5]) expect(validator.validate(size, bad).valid, String(bad)).toBe(false);
  });

  it('takes Next as the only seek operation', () => {
    expect(component('#/components/parameters/SeekOperation/schema')).toEqual({ type: 'string', enum: ['Next'] });
  });

  it('takes continuation tokens verbatim: printable ASCII with / + = , but no space, at most 2048 characters', () => {
    const token = '#/components/parameters/ContinuationToken/schema';
    for (const good of ['d19617b8-fbe5,0705c4a9_a4ayc/80/OGda4BO/1o/V0e+tp=', 'x'.repeat(2048)]) {
      expect(validator.validate(token, good).valid, good).toBe(true);
    }
    for (const bad of ['', 'two words', 'tab\there', 'x'.repeat(2049), 'caf\u00e9']) {
      expect(validator.validate(token, bad).valid, bad).toBe(false);
    }
  });

  describe('filter', () => {
    const filter = '#/components/parameters/Filter/schema';
    const customerFilter = '#/components/schemas/CustomerFilter';

    it('is a string whose decoded JSON is a CustomerFilter, with no pattern a generator would write into code', () => {
      expect(component(filter)).toEqual({
        type: 'string',
        maxLength: 2048,
        'x-contentMediaType': 'application/json',
        'x-contentSchema': { $ref: customerFilter },
      });
      expect(component(customerFilter)).toMatchObject({
        required: ['Field', 'Value', 'Operator'],
        additionalProperties: false,
        properties: {
          Field: { enum: ['CompanyName', 'Domain', 'IndirectReseller', 'IndirectCloudSolutionProvider'] },
          Operator: { enum: ['starts_with'] },
        },
      });
    });

    it("states in its description the rule no schema keyword carries, with the schema's values", () => {
      const parameter = component<OpenAPIV3.ParameterObject>('#/components/parameters/Filter');
      const description = (parameter.description ?? '').replace(/\s+/g, ' ');
      const members = component<OpenAPIV3.SchemaObject>(customerFilter).properties as Record<
        string,
        OpenAPIV3.SchemaObject
      >;
      for (const field of members.Field?.enum ?? []) expect(description).toContain(`\`${field}\``);
      expect(description).toContain(
        `(a string of ${members.Value?.minLength} to ${members.Value?.maxLength} characters)`,
      );
      expect(description).toContain('`Operator` (`starts_with`)');
      expect(description).toContain('exactly three members, each once, in any order and spelled so');
      expect(description).toContain(`at most ${component<OpenAPIV3.SchemaObject>(filter).maxLength} characters`);
      expect(description).toContain('`400` `InvalidFilter`');
      expect(section('Corrections to the source document').replace(/\s+/g, ' ')).toContain(
        '`filter` has no `pattern`: its description states the rule, and the service checks it in code',
      );
    });

    // The rule as the service applies it: the text within the schema's maxLength, its JSON a
    // CustomerFilter (x-contentSchema), and no member repeated (which JSON.parse hides).
    const followsTheRule = (text: string): boolean => {
      let decoded: unknown;
      try {
        decoded = JSON.parse(text);
      } catch {
        return false;
      }
      return (
        validator.validate(filter, text).valid &&
        validator.validate(customerFilter, decoded).valid &&
        repeatedJsonMembers(text).length === 0
      );
    };
    const accepted = [
      '{"Field":"CompanyName","Value":"Cont","Operator":"starts_with"}',
      ' { "Operator" : "starts_with", "Value" : "con\\u00e9\\"x", "Field" : "Domain" } ',
      '{"Value":"Field","Field":"IndirectReseller","Operator":"starts_with"}',
      `{"Field":"IndirectCloudSolutionProvider","Value":"${'v'.repeat(256)}","Operator":"starts_with"}`,
      `{"Field":"CompanyName","Value":"Cont","Operator":"starts_with"}${' '.repeat(2048 - 63)}`,
    ];
    const refused = [
      'cont',
      '{}',
      '[]',
      '{"Field":"CompanyName","Value":"Cont"}',
      '{"Field":"CompanyName","Value":"","Operator":"starts_with"}',
      `{"Field":"CompanyName","Value":"${'v'.repeat(257)}","Operator":"starts_with"}`,
      '{"Field":"Name","Value":"c","Operator":"starts_with"}',
      '{"Field":"CompanyName","Value":"c","Operator":"contains"}',
      '{"field":"CompanyName","value":"c","operator":"starts_with"}',
      '{"Field":"CompanyName","Value":"c","Operator":"starts_with","Extra":"x"}',
      '{"Field":"CompanyName","Value":3,"Operator":"starts_with"}',
      '{"Field":"CompanyName","Value":"a\\x","Operator":"starts_with"}',
      `{"Field":"CompanyName","Value":"Cont","Operator":"starts_with"}${' '.repeat(2048 - 62)}`,
      // JSON.parse hides a repeated member (the last one wins): only the text shows it.
      '{"Field":"CompanyName","Field":"Domain","Operator":"starts_with"}',
      '{"Field":"CompanyName","Value":"x\\"Value\\":","Value":"y","Operator":"starts_with"}',
      '{"Field":"CompanyName","Value":"c","Operator":"starts_with","\\u0046ield":"Domain"}',
    ];

    it.each(accepted)('accepts %s', (text) => {
      expect(followsTheRule(text)).toBe(true);
    });

    it.each(refused)('refuses %s', (text) => {
      expect(followsTheRule(text)).toBe(false);
    });
  });

  describe('pages', () => {
    const first = example('CustomersFirstPage');
    const last = example('CustomersLastPage');

    it('lead to the next page through links.next: GET /v1/customers?seekOperation=Next with the MS-ContinuationToken header', () => {
      const links = first.links as { next: { uri: string; method: string; headers: { key: string; value: string }[] } };
      expect(links.next).toEqual({
        uri: '/v1/customers?seekOperation=Next',
        method: 'GET',
        headers: [{ key: 'MS-ContinuationToken', value: first.continuationToken }],
      });
      expect(
        validator.validate('#/components/parameters/ContinuationToken/schema', first.continuationToken).errors,
      ).toEqual([]);
    });

    it('end with a page that has neither links.next nor continuationToken', () => {
      expect(last.links).not.toHaveProperty('next');
      expect(last).not.toHaveProperty('continuationToken');
    });

    it.each(['CustomersFirstPage', 'CustomersLastPage', 'CustomersFiltered', 'UsageRecordsOfFourCustomers'])(
      '%s counts the items it holds in totalCount',
      (name) => {
        const collection = example(name);
        expect(collection.totalCount).toBe((collection.items as unknown[]).length);
      },
    );
  });

  it('names the parameter at fault with a distinct 400 code for each kind of bad paging input', () => {
    const codes = new Map(
      faultExamples(operation('listCustomers').responses['400']).map(({ code, data }) => [code, data] as const),
    );
    expect(Object.fromEntries(codes)).toMatchObject({
      InvalidSeekOperation: ['seekOperation'],
      InvalidContinuationToken: ['MS-ContinuationToken'],
      InvalidPageSize: ['size'],
      InvalidFilter: ['filter'],
      800002: ['MS-RequestId'],
    });
    for (const code of ['InvalidSeekOperation', 'InvalidContinuationToken', 'InvalidPageSize', 'InvalidFilter']) {
      expect(section('Paging')).toContain(`\`${code}\``);
    }
  });
});

describe('token kinds', () => {
  const expected: Record<string, string[]> = {
    getUsageBudget: ['app-only', 'app+user'],
    updateUsageBudget: ['app-only', 'app+user'],
    listCustomers: ['app-only', 'app+user'],
    listCustomerUsageRecords: ['app+user'],
    getCustomerUsageSummary: ['app+user'],
    getPartnerUsageSummary: ['app+user'],
    listWebhookEvents: ['app-only', 'app+user'],
    getWebhookRegistration: ['app-only', 'app+user'],
    updateWebhookRegistration: ['app-only', 'app+user'],
    createWebhookRegistration: ['app-only', 'app+user'],
    createWebhookValidationEvent: ['app-only', 'app+user'],
    getWebhookValidationEvent: ['app-only', 'app+user'],
  };
  const all = operations.map(({ operation: found }) => found.operationId ?? '');

  it('every operation declares the kinds it accepts in x-token-kinds', () => {
    expect(Object.fromEntries(all.map((id) => [id, operation(id)['x-token-kinds']]))).toEqual(expected);
  });

  it.each(all)('%s says in its description which kinds it accepts', (id) => {
    const kinds = operation(id)['x-token-kinds'];
    const sentence = kinds?.includes('app-only')
      ? 'Works with app-only and app+user tokens.'
      : 'Accepts app+user tokens only; an app-only token is answered `403` `TokenKindNotAccepted`.';
    expect(operation(id).description?.replace(/\s+/g, ' ')).toContain(sentence);
  });

  it.each(all.filter((id) => !operation(id)['x-token-kinds']?.includes('app-only')))(
    '%s answers an app-only token 403 TokenKindNotAccepted, naming the kinds it accepts',
    (id) => {
      const refusal = faultExamples(operation(id).responses['403']).find(({ code }) => code === 'TokenKindNotAccepted');
      expect(refusal?.data).toEqual(operation(id)['x-token-kinds']);
    },
  );
});

describe('deprecation', () => {
  it('marks only the partner usage summary deprecated, and says what to use instead', () => {
    const deprecated = operations.filter(({ operation: found }) => found.deprecated);
    expect(deprecated.map(({ operation: found }) => found.operationId)).toEqual(['getPartnerUsageSummary']);
    expect(operation('getPartnerUsageSummary').description).toContain('GET /v1/customers/usagerecords');
  });
});

describe('money', () => {
  // The properties typed as a cost: a Decimal string or a JSON number.
  const costs = costProperties(spec).map(({ schema, property }) => `${schema}.${property}`);

  it('types every cost as a Decimal string or a JSON number, in x-anyOf on an untyped schema that generators carry', () => {
    expect(costs.sort()).toEqual([
      'CustomerMonthlyUsageRecord.totalCost',
      'CustomerMonthlyUsageRecord.usdTotalCost',
      'CustomerUsageSummary.totalCost',
      'CustomerUsageSummary.usdTotalCost',
      'PartnerUsageSummary.totalCost',
      'PartnerUsageSummary.usdTotalCost',
    ]);
    for (const name of costs) {
      const [schema, property] = name.split('.') as [string, string];
      const definition = component<Record<string, unknown>>(`#/components/schemas/${schema}/properties/${property}`);
      // No type and no anyOf: openapi-generator's Java client cannot compile a union of primitives.
      expect(definition.type, name).toBeUndefined();
      expect(definition.anyOf, name).toBeUndefined();
      expect(definition['x-anyOf'], name).toEqual([{ $ref: '#/components/schemas/Decimal' }, { type: 'number' }]);
    }
    const cost = '#/components/schemas/CustomerUsageSummary/properties/totalCost';
    for (const good of ['28.82860766744404945074', '0', '0.0', '-1.5', 28.8, 0]) {
      expect(validator.validate(cost, good).valid, String(good)).toBe(true);
    }
    for (const bad of ['28,83', '1e5', '01.5', '.5', '5.', '+1', ' 1', '', 'NaN', null, true, {}, [1]]) {
      expect(validator.validate(cost, bad).valid, JSON.stringify(bad)).toBe(false);
    }
  });

  it('keeps every digit of the high-precision example cost in the bundled JSON and YAML', () => {
    const digits = '28.82860766744404945074';
    expect(example('UsageSummaryAzurePlan').totalCost).toBe(digits);
    expect(readFileSync(specPaths.json, 'utf8')).toContain(`"totalCost": "${digits}"`);
    expect(readFileSync(specPaths.yaml, 'utf8')).toMatch(
      new RegExp(`totalCost: ["']${digits.replace('.', '\\.')}["']`),
    );
  });

  it('has no example cost that is a number with more digits than a double keeps', () => {
    const names = new Set(costs.map((path) => path.split('.')[1]));
    const exampleCosts: unknown[] = [];
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          if (names.has(key)) exampleCosts.push(inner);
          walk(inner);
        }
      }
    };
    walk(spec.components?.examples);
    expect(exampleCosts.length).toBeGreaterThanOrEqual(12);
    for (const cost of exampleCosts) {
      if (typeof cost === 'number')
        expect(String(cost).replace(/[-.]/g, '').replace(/^0+/, '').length).toBeLessThanOrEqual(15);
      else expect(validator.validate('#/components/schemas/Decimal', cost).errors).toEqual([]);
    }
  });

  it('documents what the SDK gives its users for a cost', () => {
    const money = section('Money and decimals').replace(/\s+/g, ' ');
    expect(money).toContain('`"28.82860766744404945074"`');
    expect(money).toContain('string holding the decimal exactly as received');
    expect(
      component<OpenAPIV3.SchemaObject>('#/components/schemas/CustomerUsageSummary/properties/totalCost').description,
    ).toContain('the SDK returns the string');
  });
});

describe('percent used', () => {
  // 100 × cost ÷ amount on exact decimals, rounded half away from zero to two decimals.
  const scaled = (text: string): [bigint, number] => {
    const [whole = '0', fraction = ''] = text.split('.');
    return [BigInt(whole + fraction), fraction.length];
  };
  const percentUsed = (cost: string, amount: string): number => {
    const [costDigits, costScale] = scaled(cost);
    const [amountDigits, amountScale] = scaled(amount);
    const numerator = costDigits * 10n ** BigInt(amountScale) * 10_000n;
    const denominator = amountDigits * 10n ** BigInt(costScale);
    return Number((2n * numerator + denominator) / (2n * denominator)) / 100;
  };

  it('is 100 × totalCost ÷ budget.amount rounded to two decimals, or 0 without a budget, in every record', () => {
    const records = example('UsageRecordsOfFourCustomers').items as {
      budget: { amount?: number };
      totalCost: string | number;
      percentUsed: number;
    }[];
    expect(records.map(({ percentUsed: used }) => used)).toEqual([0, 602.84, 0, 28.08]);
    for (const record of records) {
      const amount = record.budget.amount;
      const expected = amount ? percentUsed(String(record.totalCost), String(amount)) : 0;
      expect(record.percentUsed).toBe(expected);
    }
  });

  it('is explained in the budget section', () => {
    const budget = section('What a budget is, and is not').replace(/\s+/g, ' ');
    expect(budget).toContain('`100 × totalCost ÷ budget.amount`');
    expect(budget).toContain('rounded to two decimal places');
  });
});

describe('examples and errors', () => {
  it('writes every link of every example with the /v1 prefix', () => {
    const uris: string[] = [];
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        const link = value as { uri?: unknown; method?: unknown };
        if (typeof link.uri === 'string' && typeof link.method === 'string') uris.push(link.uri);
        Object.values(value).forEach(walk);
      }
    };
    walk(spec.components?.examples);
    expect(uris.length).toBeGreaterThan(5);
    for (const uri of uris) expect(uri).toMatch(/^\/v1\//);
  });

  it('lists every ApiFault code of every example in the Errors section', () => {
    const codes = new Set(
      operations.flatMap(({ operation: found }) =>
        Object.entries(found.responses)
          .filter(([status]) => /^[45]/.test(status) && status !== '429')
          .flatMap(([, response]) => faultExamples(response).map(({ code }) => String(code))),
      ),
    );
    expect([...codes].sort()).toEqual(
      [
        '20002',
        '3000',
        '60003',
        '800001',
        '800002',
        '800003',
        '900118',
        '900150',
        '900421',
        'InvalidContinuationToken',
        'InvalidFilter',
        'InvalidPageSize',
        'InvalidSeekOperation',
        'NoUsageBasedSubscription',
        'RequestIdReused',
        'ServiceUnavailable',
        'TestEventNotRegistered',
        'TokenKindNotAccepted',
        'ValidationEventNotFound',
        'WebhookRegistrationExists',
        'WebhookRegistrationNotFound',
      ].sort(),
    );
    for (const code of codes) expect(section('Errors'), code).toContain(`\`${code}\``);
  });

  it('records the decisions on the sources in the corrections section', () => {
    const corrections = section('Corrections to the source document');
    for (const decision of [
      '`{customerTenantId}`',
      '`InvalidPageSize`',
      '`InvalidSeekOperation`',
      '`InvalidFilter`',
      '`TokenKindNotAccepted`',
      '`NoUsageBasedSubscription`',
      '`percentUsed`',
      '`Decimal`',
      '`userCredentials`',
      '`900421`',
    ]) {
      expect(corrections, decision).toContain(decision);
    }
    // Every table row has both cells filled in.
    const headings = ['| The source document says |', '| The sources say |'];
    const rows = corrections
      .split('\n')
      .filter((line) => line.startsWith('| ') && !headings.some((heading) => line.startsWith(heading)));
    expect(rows.length).toBeGreaterThan(40);
    for (const row of rows)
      expect(
        row.split(' | ').every((cell) => cell.replace(/\|/g, '').trim().length > 0),
        row,
      ).toBe(true);
  });
});
