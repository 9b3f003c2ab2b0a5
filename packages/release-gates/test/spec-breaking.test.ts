// The spec's breaking-change gate (`pnpm --filter @usagebudget/openapi breaking`), run for real
// (redocly diff) on mutated copies of the working spec, released as it stands: each class of
// breaking change fails it, additive changes pass, and a breaking change passes only as a new
// major with major changesets for the packages it breaks.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { type Bump, checkSpec, readPackage, withVendorCombinatorsSpelledOut, writeChangeset } from '../src/index.mjs';

// The spec package, as an installed dependency of this test workspace.
const packageDir = dirname(createRequire(import.meta.url).resolve('@usagebudget/openapi/package.json'));
const config = readPackage(packageDir).gates.spec;
if (!config) throw new Error('openapi/package.json has no releaseGates.spec');
const source = readFileSync(join(packageDir, config.source), 'utf8');
const PATH = '/v1/customers/{customerTenantId}/usagebudget';
// The working spec's version, released as it stands in each case, and the major after it.
const VERSION: string = parse(source).info.version;
const NEXT_MAJOR = `${Number(VERSION.split('.')[0]) + 1}.0.0`;

// biome-ignore lint/suspicious/noExplicitAny: a spec document under mutation is untyped YAML.
type Spec = any;
const scratch = mkdtempSync(join(tmpdir(), 'spec-breaking-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * Lays out a package whose released spec is the working spec and whose working spec is a mutated
 * copy, with the given changesets, and runs the gate on it.
 */
async function gate(mutate: (spec: Spec) => void, changesets: Record<string, Bump>[] = []) {
  const dir = mkdtempSync(join(scratch, 'case-'));
  const released = parse(source);
  mkdirSync(join(dir, config?.released ?? ''), { recursive: true });
  writeFileSync(join(dir, config?.released ?? '', `${released.info.version}.yaml`), source);
  const spec = parse(source);
  mutate(spec);
  writeFileSync(join(dir, config?.source ?? ''), stringify(spec));
  mkdirSync(join(dir, '.changeset'));
  changesets.forEach((releases, i) => {
    writeChangeset(dir, `change-${i}`, releases, 'A change.');
  });
  if (!config) throw new Error('unreachable');
  return checkSpec({ packageDir: dir, config, changesetRoot: dir });
}

const operation = (spec: Spec, method: string) => spec.paths[PATH][method];

describe.concurrent('each class of breaking change fails the gate', () => {
  const cases: [string, (spec: Spec) => void, string, RegExp][] = [
    [
      'removed operation',
      (s) => delete s.paths[PATH].patch,
      'operation-removed',
      /Operation `PATCH .*usagebudget` was removed/,
    ],
    [
      'renamed operation (path)',
      (s) => {
        s.paths['/v1/customers/{customerTenantId}/budget'] = s.paths[PATH];
        delete s.paths[PATH];
      },
      'path-removed',
      /usagebudget` was renamed to `.*\/budget`/,
    ],
    [
      'renamed operation (operationId)',
      (s) => {
        operation(s, 'get').operationId = 'fetchUsageBudget';
      },
      'operation-id-changed',
      /from 'getUsageBudget' to 'fetchUsageBudget'/,
    ],
    [
      'removed parameter',
      (s) => {
        for (const item of Object.values<Spec>(s.paths)) {
          item.parameters = item.parameters.filter((p: Spec) => !p.$ref.endsWith('/Locale'));
        }
        delete s.components.parameters.Locale;
      },
      'parameter-removed',
      /`X-Locale` header parameter was removed/,
    ],
    [
      'renamed parameter',
      (s) => {
        s.components.parameters.Locale.name = 'X-Language';
      },
      'parameter-removed',
      /`X-Locale` header parameter was renamed to `X-Language`/,
    ],
    [
      'removed response field',
      (s) => {
        delete s.components.schemas.SpendingBudget.properties.usageSpendingBudget;
        for (const example of Object.values<Spec>(s.components.examples)) delete example.value.usageSpendingBudget;
      },
      'property-removed',
      /Property `usageSpendingBudget` of `SpendingBudget` was removed/,
    ],
    [
      'removed response status',
      (s) => delete operation(s, 'get').responses['404'],
      'response-removed',
      /Response `404` was removed/,
    ],
    [
      'type narrowed (number to integer)',
      (s) => {
        s.components.schemas.SpendingBudget.properties.amount.type = 'integer';
      },
      'schema-type-changed',
      /Type of `amount` narrowed from 'number \| null' to 'integer \| null'/,
    ],
    [
      'type narrowed (no longer nullable)',
      (s) => delete s.components.schemas.SpendingBudget.properties.amount.nullable,
      'schema-type-changed',
      /Type of `amount` narrowed from 'number \| null' to 'number'/,
    ],
    [
      'type narrowed (a tighter constraint)',
      (s) => {
        s.components.parameters.PartnerCenterApplication.schema.maxLength = 64;
      },
      'schema-constraint-changed',
      /`maxLength` changed from '256' to '64'/,
    ],
    [
      'parameter made required',
      (s) => {
        s.components.parameters.RequestId.required = true;
      },
      'parameter-became-required',
      /`MS-RequestId` header parameter became required/,
    ],
  ];
  it.each(cases)('%s', async (_name, mutate, ruleId, message) => {
    const result = await gate(mutate);
    expect(result.ok).toBe(false);
    expect(result.breaking.map((change) => change.ruleId)).toContain(ruleId);
    const report = result.lines.join('\n');
    expect(report).toMatch(message);
    // The failure says what to do, not only what is wrong.
    expect(report).toContain(`set info.version in ${config.source} to ${NEXT_MAJOR} (it is ${VERSION})`);
    expect(report).toContain('@usagebudget/client: needs a major bump');
    expect(report).toContain('pnpm changeset');
  });
});

describe.concurrent('additive changes pass the gate', () => {
  const cases: [string, (spec: Spec) => void][] = [
    [
      'new operation',
      (s) => {
        s.paths[PATH].delete = { ...structuredClone(operation(s, 'get')), operationId: 'deleteUsageBudget' };
      },
    ],
    [
      'new optional property',
      (s) => {
        s.components.schemas.SpendingBudget.properties.currency = { type: 'string', description: 'ISO 4217.' };
      },
    ],
    [
      'new optional parameter',
      (s) => {
        operation(s, 'get').parameters = [{ name: 'expand', in: 'query', required: false, schema: { type: 'string' } }];
      },
    ],
    [
      'new response status',
      (s) => {
        operation(s, 'get').responses['502'] = structuredClone(operation(s, 'get').responses['500']);
      },
    ],
  ];
  it.each(cases)('%s', async (_name, mutate) => {
    const result = await gate(mutate);
    expect(result.breaking).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.lines.join('\n')).toMatch(
      new RegExp(
        `no breaking change since the released spec .*${VERSION.replaceAll('.', '\\.')}\\.yaml \\(0 breaking, [1-9]\\d* additive`,
      ),
    );
  });
});

describe.concurrent("the spec's vendor combinators (x-anyOf, x-oneOf) are judged as the keywords they stand for", () => {
  it('a union written as x-oneOf or as oneOf is the same', async () => {
    const result = await gate((s) => {
      const { 'x-oneOf': branches, ...code } = s.components.schemas.ApiFault.properties.code;
      s.components.schemas.ApiFault.properties.code = { ...code, oneOf: branches };
    });
    expect(result.breaking).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('a change to an x-oneOf union is seen, at its line in the file', async () => {
    const result = await gate((s) => {
      s.components.schemas.ApiFault.properties.code['x-oneOf'].push({ type: 'boolean' });
    });
    expect(result.ok).toBe(false);
    expect(result.breaking.map(({ ruleId }) => ruleId)).toContain('schema-combinator-changed');
    expect(result.lines.join('\n')).toMatch(/usagebudget\.yaml:\d+\)/);
  });

  it('spells them out line for line, in mappings and list items alike', () => {
    const text = 'a:\n  x-anyOf:\n    - x-oneOf:\n        - type: integer\n  x-anyOfs: 1\n  note: x-anyOf: no\n';
    expect(withVendorCombinatorsSpelledOut(text)).toBe(
      'a:\n  anyOf:\n    - oneOf:\n        - type: integer\n  x-anyOfs: 1\n  note: x-anyOf: no\n',
    );
  });
});

describe.concurrent('a breaking change released as a new major', () => {
  const removeLocale = (s: Spec) => {
    s.components.parameters.Locale.name = 'X-Language';
  };
  const toMajor = (s: Spec) => {
    removeLocale(s);
    s.info.version = NEXT_MAJOR;
  };
  const majorFor = (...names: string[]): Record<string, Bump> =>
    Object.fromEntries(names.map((name) => [name, 'major']));

  it('passes with the next major info.version and a major changeset for every package it breaks', async () => {
    const result = await gate(toMajor, [majorFor('@usagebudget/openapi'), majorFor('@usagebudget/client')]);
    expect(result.ok).toBe(true);
    expect(result.lines.join('\n')).toContain('released as a new major');
  });

  it('fails without the new major version, naming it', async () => {
    const result = await gate(removeLocale, [majorFor('@usagebudget/openapi', '@usagebudget/client')]);
    expect(result.ok).toBe(false);
    expect(result.lines.join('\n')).toContain(`to ${NEXT_MAJOR} (it is ${VERSION})`);
    expect(result.lines.join('\n')).not.toContain('needs a major bump');
  });

  it('fails while a package it breaks has no major changeset, naming that package', async () => {
    const result = await gate(toMajor, [majorFor('@usagebudget/openapi'), { '@usagebudget/client': 'minor' }]);
    expect(result.ok).toBe(false);
    const report = result.lines.join('\n');
    expect(report).toContain('@usagebudget/client: needs a major bump; the pending changesets declare only minor');
    expect(report).not.toContain('@usagebudget/openapi: needs');
    expect(report).not.toContain('set info.version');
  });
});
