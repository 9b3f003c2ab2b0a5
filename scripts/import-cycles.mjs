#!/usr/bin/env node
// Fails when modules of product source import each other in a cycle, directly or through others:
// type-only imports count too, since a cycle of types still says two modules are one. A cycle hides
// which module is the format and which the mechanism that reads it.
//
//   node scripts/import-cycles.mjs [paths...]   (default: src)
//
// Only relative imports between the source files found are followed; generated code (any folder
// named `generated`) and declaration files are not product source.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import ts from 'typescript';
import { sourceFiles } from './source-files.mjs';

const { positionals } = parseArgs({ allowPositionals: true });
const roots = positionals.length > 0 ? positionals : ['src'];

/** The source file a relative specifier names (`./a.js` is `./a.ts` in source), if it is one of ours. */
function target(from, specifier, files) {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  const candidates = [base, base.replace(/\.(m|c)?js$/, '.$1ts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((candidate) => files.has(candidate) && existsSync(candidate));
}

const files = new Set(roots.flatMap((root) => [...sourceFiles(root)]));
const imports = new Map();
for (const file of files) {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  imports.set(file, [...new Set(importedFiles.map(({ fileName }) => target(file, fileName, files)).filter(Boolean))]);
}

// Tarjan's strongly connected components: each of more than one module (or one importing itself) is a cycle.
let index = 0;
const order = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
const cycles = [];
function visit(file) {
  order.set(file, index);
  low.set(file, index);
  index += 1;
  stack.push(file);
  onStack.add(file);
  for (const next of imports.get(file)) {
    if (!order.has(next)) {
      visit(next);
      low.set(file, Math.min(low.get(file), low.get(next)));
    } else if (onStack.has(next)) low.set(file, Math.min(low.get(file), order.get(next)));
  }
  if (low.get(file) !== order.get(file)) return;
  const component = [];
  let member;
  do {
    member = stack.pop();
    onStack.delete(member);
    component.push(member);
  } while (member !== file);
  if (component.length > 1 || imports.get(file).includes(file)) cycles.push(component.sort());
}
for (const file of files) if (!order.has(file)) visit(file);

for (const cycle of cycles) {
  console.error(`import cycle: ${cycle.map((file) => relative(process.cwd(), file)).join(' <-> ')}`);
}
if (cycles.length > 0) {
  console.error(`import-cycles: ${cycles.length} cycle(s); move what both sides need into a module of its own`);
  process.exit(1);
}
