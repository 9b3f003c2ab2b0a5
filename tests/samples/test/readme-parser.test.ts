// How README blocks become checks: which fences count, what each marker does, and the clear
// errors for a marker that is wrong. The real READMEs are checked in readme-blocks.test.ts.
import { describe, expect, it } from 'vitest';
import { parseReadme } from '../scripts/readme-blocks.mjs';

const parse = (text: string) => parseReadme(text, 'pkg/README.md', '@usagebudget/pkg');

describe('parseReadme', () => {
  it('takes ts and sh blocks, keeps each line at its README line, and ignores other languages', () => {
    const blocks = parse(
      ['# pkg', '', '```ts', "import { x } from 'pkg';", '```', '```json', '{}', '```', '```sh', 'echo hi', '```'].join(
        '\n',
      ),
    );
    expect(blocks.map(({ language, line, notRunBecause }) => ({ language, line, notRunBecause }))).toEqual([
      { language: 'ts', line: 3, notRunBecause: undefined },
      { language: 'sh', line: 9, notRunBecause: undefined },
    ]);
    const [ts, sh] = blocks;
    expect(ts?.source.split('\n')[3]).toBe("import { x } from 'pkg';");
    expect(ts?.source).toMatch(/^\/\/ pkg\/README\.md, the ts block at line 3/);
    expect(ts?.source.trimEnd().endsWith('export {};')).toBe(true);
    expect(sh?.source.split('\n')[9]).toBe('echo hi');
    expect(ts?.file).toBe('readme-blocks/pkg/README.md.block-3.ts');
  });

  it('puts a setup before its block, at the lines it has in the README, and reads the reasons of markers', () => {
    const [block] = parse(
      [
        'text',
        '<!-- sample: typecheck-only (needs Azure AD) -->',
        '<!-- sample: setup',
        'const id = 1;',
        '-->',
        '```ts',
        'console.log(id);',
        '```',
      ].join('\n'),
    );
    expect(block?.notRunBecause).toBe('needs Azure AD');
    const lines = block?.source.split('\n') ?? [];
    expect(lines[3]).toBe('const id = 1;');
    expect(lines[6]).toBe('console.log(id);');
    expect(lines[1]).toBe(''); // the marker itself is not code
  });

  it('reads blocks indented in a list', () => {
    const [block] = parse(['- item', '', '  ```sh', '  echo hi', '  ```'].join('\n'));
    expect(block?.source.split('\n')[3]).toBe('echo hi');
  });

  it('refuses, naming the README and line, a marker it does not know or of the wrong kind, and an open fence', () => {
    expect(() => parse(['<!-- sample: skip -->', '```ts', 'x', '```'].join('\n'))).toThrow(
      /^pkg\/README\.md:1: unknown marker <!-- sample: skip -->/,
    );
    expect(() => parse(['<!-- sample: typecheck-only -->', '```ts', 'x', '```'].join('\n'))).toThrow(
      /pkg\/README\.md:1: unknown marker/,
    );
    expect(() => parse(['<!-- sample: typecheck-only (why) -->', '```sh', 'x', '```'].join('\n'))).toThrow(
      'pkg/README.md:1: `typecheck-only` does not apply to a sh block',
    );
    expect(() => parse(['<!-- sample: not run (why) -->', '```ts', 'x', '```'].join('\n'))).toThrow(
      'pkg/README.md:1: `not run` does not apply to a ts block',
    );
    expect(() => parse(['<!-- sample: setup const x = 1; -->', '```ts', 'x', '```'].join('\n'))).toThrow(
      /pkg\/README\.md:1: write a setup as/,
    );
    expect(() => parse(['text', '```ts', 'x'].join('\n'))).toThrow('pkg/README.md:2: a code block is never closed');
  });

  it('ignores other HTML comments, and refuses a marker that is not right above a block', () => {
    const blocks = parse(['<!-- a note -->', '```ts', 'x', '```'].join('\n'));
    expect(blocks.map(({ notRunBecause }) => notRunBecause)).toEqual([undefined]);
    expect(() => parse(['<!-- sample: typecheck-only (why) -->', '', '```ts', 'y', '```'].join('\n'))).toThrow(
      'pkg/README.md:1: this marker is not right above a ts or sh block',
    );
    expect(() => parse(['<!-- sample: not run (why) -->', '```json', '{}', '```'].join('\n'))).toThrow(
      'pkg/README.md:1: this marker is not right above a ts or sh block',
    );
  });
});
