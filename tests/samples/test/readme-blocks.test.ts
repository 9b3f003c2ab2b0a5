// The code blocks of the published packages' READMEs (scripts/readme-blocks.mjs says which and
// how they are marked): each ts block is type-checked by the typecheck task and, with each sh
// block, run here against the reference server unless its marker says why not. A block that runs
// must exit 0 with nothing on stderr. An sh block reaches the reference server at its default
// address (http://127.0.0.1:4020 in the README), which points to the server the test started.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_BASE_URL } from '@usagebudget/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishedReadmes, readmeBlocks } from '../scripts/readme-blocks.mjs';
import { describeRun, runSample } from '../src/run-sample.js';
import { type SampleEnvironment, startSampleEnvironment } from '../src/sample-environment.js';

const blocks = readmeBlocks();
let environment: SampleEnvironment;
let scratch: string;

beforeAll(async () => {
  environment = await startSampleEnvironment();
  scratch = await mkdtemp(join(tmpdir(), 'usagebudget-readme-blocks-'));
});

afterAll(async () => {
  await environment?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('README code blocks of the published packages', () => {
  it('reads the README of each published package, and every ts and sh block in it', () => {
    const readmes = publishedReadmes();
    expect(readmes.map(({ packageName }) => packageName).sort()).toEqual([
      '@usagebudget/cli',
      '@usagebudget/client',
      '@usagebudget/mock',
      '@usagebudget/openapi',
      '@usagebudget/server',
    ]);
    for (const { readme } of readmes) {
      // A plain count of opening fences, so a parsing mistake cannot pass as "nothing to check".
      const fences = readFileSync(readme, 'utf8').match(/^\s*```(ts|typescript|sh|bash|shell)\s*$/gm) ?? [];
      const parsed = blocks.filter((block) => readme.endsWith(block.readme));
      expect(parsed.length, readme).toBe(fences.length);
    }
  });

  for (const block of blocks) {
    const name = `${block.readme}:${block.line} (${block.language})`;
    if (block.notRunBecause) {
      it.skip(`${name} is not run: ${block.notRunBecause}`, () => {});
      continue;
    }
    it(`${name} runs against the reference server`, async () => {
      let file = block.file;
      if (block.language === 'sh') {
        file = join(scratch, `${block.readme.replaceAll('/', '-')}-${block.line}.sh`);
        const url = environment.env.PARTNER_CENTER_BASE_URL ?? '';
        await writeFile(file, block.source.replaceAll(DEFAULT_BASE_URL, url));
      }
      const run = await runSample(file, environment.env);
      expect(run.code, describeRun(run)).toBe(0);
      expect(run.stderr, describeRun(run)).toBe('');
    });
  }
});
