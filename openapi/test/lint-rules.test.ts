// The ruleset is only worth something if it fails on the mistakes it claims to catch:
// lint mutated copies of the spec and expect each rule to fire.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const run = promisify(execFile);
const packageDir = join(import.meta.dirname, '..');
const source = readFileSync(join(packageDir, 'usagebudget.yaml'), 'utf8');
const workDir = mkdtempSync(join(tmpdir(), 'spectral-'));
const spectralBin = join(
  dirname(createRequire(import.meta.url).resolve('@stoplight/spectral-cli/package.json')),
  'dist',
  'index.js',
);

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

async function lint(document: unknown): Promise<{ code: string; path: string }[]> {
  const file = join(workDir, `${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, stringify(document));
  const args = [
    spectralBin,
    'lint',
    file,
    '--ruleset',
    join(packageDir, '.spectral.yaml'),
    '--format',
    'json',
    '--quiet',
  ];
  const { stdout } = await run(process.execPath, args).catch((error: { stdout: string }) => error);
  return (JSON.parse(stdout || '[]') as { code: string; path: string[] }[]).map((result) => ({
    code: result.code,
    path: result.path.join('.'),
  }));
}

describe('the Spectral ruleset', () => {
  it('reports nothing on the spec', async () => {
    expect(await lint(parse(source))).toEqual([]);
  });

  it('fires on each class of mistake', async () => {
    const spec = parse(source);
    const get = spec.paths['/v1/customers/{customerTenantId}/usagebudget'].get;
    delete get.summary;
    delete get.description;
    get.responses['404'] = { description: 'plain', content: { 'application/json': { schema: { type: 'object' } } } };
    spec.components.examples.BudgetOf100.value.amount = -5;
    spec.components.schemas.Orphan = { type: 'string' };
    const codes = new Set((await lint(spec)).map((result) => result.code));
    for (const code of [
      'operation-summary',
      'operation-description',
      'error-responses-use-fault-schemas',
      'oas3-valid-media-example',
      'oas3-unused-component',
    ]) {
      expect(codes, code).toContain(code);
    }
  });

  it('requires x-token-kinds of known kinds on every operation, and the 403 of an operation that refuses a kind', async () => {
    const spec = parse(source);
    const item = spec.paths['/v1/customers/{customerTenantId}/usagebudget'];
    delete item.get['x-token-kinds'];
    item.patch['x-token-kinds'] = ['app+user', 'user-only'];
    const results = await lint(spec);
    const at = (code: string) => results.filter((result) => result.code === code).map(({ path }) => path);
    expect(at('operation-token-kinds')).toEqual([
      'paths./v1/customers/{customerTenantId}/usagebudget.get',
      'paths./v1/customers/{customerTenantId}/usagebudget.patch.x-token-kinds.1',
    ]);
    // PATCH now refuses app-only tokens, and its 403 has no TokenKindNotAccepted example.
    expect(at('token-kind-refusal-documented')).toEqual([
      'paths./v1/customers/{customerTenantId}/usagebudget.patch.responses',
    ]);
  });

  it('refuses what generated clients cannot carry: patterns with quotes, lookaround or back-references, unions of primitives, unique items', async () => {
    const spec = parse(source);
    const { parameters, schemas } = spec.components;
    parameters.Filter.schema.pattern = '^(?=[\\s\\S]*"Field")\\{.*\\}$';
    parameters.ContinuationToken.schema.pattern = "^[^']+$";
    parameters.Locale.schema.pattern = '^([a-z]{2})-\\1$';
    parameters.PageSize.schema.pattern = '^(?<!x)[0-9]+$';
    // A pattern with escapes but none of those is fine, as the spec's Decimal shows.
    parameters.PartnerCenterApplication.schema.pattern = '^[!-~ ]+\\.?$';
    const { 'x-anyOf': costBranches, ...cost } = schemas.CustomerUsageSummary.properties.totalCost;
    schemas.CustomerUsageSummary.properties.totalCost = { ...cost, anyOf: costBranches };
    const { 'x-oneOf': codeBranches, ...code } = schemas.ApiFault.properties.code;
    schemas.ApiFault.properties.code = { ...code, oneOf: codeBranches };
    // A union of objects is not a union of primitives.
    schemas.CustomerFilter.properties.Value = {
      ...schemas.CustomerFilter.properties.Value,
      anyOf: [{ type: 'object' }, { $ref: '#/components/schemas/KeyValuePair' }],
    };
    // An array of unique items, which generated TypeScript clients type as a Set.
    schemas.WebhookRegistration.properties.webhookEvents.uniqueItems = true;
    const results = await lint(spec);
    const at = (rule: string) =>
      results
        .filter((result) => result.code === rule)
        .map(({ path }) => path)
        .sort();
    expect(at('pattern-generator-safe')).toEqual(
      [
        'components.parameters.ContinuationToken.schema.pattern',
        'components.parameters.Filter.schema.pattern',
        'components.parameters.Locale.schema.pattern',
        'components.parameters.PageSize.schema.pattern',
      ].sort(),
    );
    expect(at('no-primitive-unions')).toEqual(
      [
        'components.schemas.ApiFault.properties.code.oneOf.0.type',
        'components.schemas.ApiFault.properties.code.oneOf.1.type',
        'components.schemas.CustomerUsageSummary.properties.totalCost.anyOf.1.type',
        'components.schemas.Decimal.type',
      ].sort(),
    );
    expect(at('no-unique-items')).toEqual([
      'components.schemas.WebhookRegistration.properties.webhookEvents.uniqueItems',
    ]);
  });
});
