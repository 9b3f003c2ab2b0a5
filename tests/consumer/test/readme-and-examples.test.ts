// What the README shows and the examples import is what ships: the vitest snippet is a real file
// that the example's suite runs, and the examples import only entry points the packages export.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeBlocks, readmeSection, rootReadme, workspaceRoot } from '../src/packed-install.js';

const examplesDir = join(workspaceRoot, 'examples');
const examples = readdirSync(examplesDir).filter((name) => statSync(join(examplesDir, name)).isDirectory());

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name) ? [path] : [];
  });
}

/** The module specifiers a source file imports (static, dynamic, re-exports, require). */
function importsOf(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  return [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm)].map(
    (found) => found[1] as string,
  );
}

describe("the README's vitest snippet", () => {
  it('is, character for character, the global setup the example runs', () => {
    const [snippet] = codeBlocks(readmeSection(rootReadme(), 'Use the mock in your CI'), 'ts');
    const file = join(examplesDir, 'over-budget-alerts', 'test', 'global-setup.ts');
    expect(snippet).toBe(readFileSync(file, 'utf8'));
    const config = readFileSync(join(examplesDir, 'over-budget-alerts', 'vitest.config.ts'), 'utf8');
    expect(config).toContain("globalSetup: ['test/global-setup.ts']");
  });
});

describe('the examples', () => {
  it('exist', () => {
    expect(examples).toContain('over-budget-alerts');
  });

  it.each(examples)(
    '%s imports only the entry points our packages export, and nothing of the workspace by path',
    (name) => {
      const root = join(examplesDir, name);
      const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<
        string,
        Record<string, string>
      >;
      const declared = new Set(Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }));
      const requireFromExample = createRequire(join(root, 'package.json'));
      const problems: string[] = [];
      for (const file of sourceFiles(root)) {
        for (const specifier of importsOf(file)) {
          const where = `${relative(root, file)}: ${specifier}`;
          if (specifier.startsWith('.')) {
            if (relative(root, resolve(dirname(file), specifier)).startsWith('..'))
              problems.push(`${where} leaves the example`);
            continue;
          }
          if (specifier.startsWith('node:')) continue;
          const packageName = specifier.startsWith('@')
            ? specifier.split('/').slice(0, 2).join('/')
            : specifier.split('/')[0];
          if (!declared.has(packageName as string) && packageName !== 'vitest') {
            problems.push(`${where} is not a declared dependency`);
            continue;
          }
          if (!packageName?.startsWith('@usagebudget/')) continue;
          const exportsMap = JSON.parse(readFileSync(requireFromExample.resolve(`${packageName}/package.json`), 'utf8'))
            .exports as Record<string, unknown>;
          const subpath = `.${specifier.slice((packageName as string).length)}`;
          if (!(subpath in exportsMap)) problems.push(`${where} is not an entry point of ${packageName}`);
        }
      }
      expect(problems).toEqual([]);
    },
  );
});
