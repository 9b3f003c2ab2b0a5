// The docs' code samples: read per operation from tests/samples/operations, refused when one is
// missing, and added to the docs' copy of the spec only.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spec } from '@usagebudget/openapi';
import { specOperations } from '@usagebudget/openapi/operations';
import { afterEach, describe, expect, it } from 'vitest';
import { readCodeSamples, SAMPLE_FILES, withCodeSamples } from '../scripts/code-samples.mjs';

const operations = specOperations(spec);
const operationIds = operations.map(({ operationId }) => operationId);
let scratch: string | undefined;

afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

/** A samples folder with `files` (`operationId/file` to text). */
function samplesFolder(files: Record<string, string>): string {
  scratch = mkdtempSync(join(tmpdir(), 'code-samples-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(scratch, path, '..'), { recursive: true });
    writeFileSync(join(scratch, path), text);
  }
  return scratch;
}

describe('readCodeSamples', () => {
  it('finds the three samples of every operation of the spec in tests/samples/operations', () => {
    const samples = readCodeSamples(operationIds);
    for (const operationId of operationIds) {
      expect(samples.get(operationId)?.map(({ label }) => label)).toEqual(['TypeScript SDK', 'CLI', 'curl']);
    }
  });

  it('reads each file as it is, in the order of the tabs', () => {
    const dir = samplesFolder({ 'opA/sdk.ts': 'ts A\n', 'opA/cli.sh': 'cli A', 'opA/curl.sh': 'curl A' });
    expect(readCodeSamples(['opA'], dir).get('opA')).toEqual([
      { lang: 'TypeScript', label: 'TypeScript SDK', source: 'ts A' },
      { lang: 'Shell', label: 'CLI', source: 'cli A' },
      { lang: 'Shell', label: 'curl', source: 'curl A' },
    ]);
  });

  it('fails naming every operation without all three samples, an empty one, and a folder of no operation', () => {
    const dir = samplesFolder({
      'opA/sdk.ts': 'ts',
      'opA/cli.sh': 'cli',
      'opA/curl.sh': ' \n',
      'opB/cli.sh': 'cli',
      'removedOp/sdk.ts': 'ts',
    });
    const error = (() => {
      try {
        readCodeSamples(['opA', 'opB', 'opC'], dir);
      } catch (thrown) {
        return thrown as Error;
      }
    })();
    expect(error?.message).toContain('  - opA: no curl.sh (or empty)');
    expect(error?.message).toContain('  - opB: no sdk.ts, curl.sh (or empty)');
    expect(error?.message).toContain('  - opC: no sdk.ts, cli.sh, curl.sh (or empty)');
    expect(error?.message).toContain('  - removedOp/: the spec has no operation with this operationId');
    expect(error?.message).toMatch(/^docs: every operation shows TypeScript SDK, CLI, curl samples/);
  });
});

describe('withCodeSamples', () => {
  it("sets each operation's x-codeSamples on a copy, leaving the spec as it was", () => {
    const samples = new Map(
      operationIds.map((id) => [
        id,
        SAMPLE_FILES.map(({ lang, label }) => ({ lang, label, source: `${id} ${label}` })),
      ]),
    );
    const before = JSON.stringify(spec);
    const copy = withCodeSamples(spec, operations, samples);
    for (const { path, method, operationId } of operations) {
      const operation = (copy.paths[path] as Record<string, { 'x-codeSamples'?: { source: string }[] }>)[method];
      expect(operation?.['x-codeSamples']?.map(({ source }) => source)).toEqual([
        `${operationId} TypeScript SDK`,
        `${operationId} CLI`,
        `${operationId} curl`,
      ]);
    }
    expect(JSON.stringify(spec)).toBe(before);
  });

  it('is in the docs page, not in the bundle or the source', () => {
    const dist = join(import.meta.dirname, '..', 'dist');
    expect(readFileSync(join(dist, 'usagebudget.json'), 'utf8')).not.toContain('x-codeSamples');
    expect(readFileSync(join(import.meta.dirname, '..', 'usagebudget.yaml'), 'utf8')).not.toContain('x-codeSamples');
    const page = readFileSync(join(dist, 'docs', 'index.html'), 'utf8');
    expect(page.match(/"x-codeSamples":/g)).toHaveLength(operations.length);
  });
});
