#!/usr/bin/env node
// Fails when a function of product source is longer than its limit in lines of its own: every line
// from its first to its last, blank and comment lines included, less the lines of the functions
// nested in it, which are counted apart. Long functions hide the steps a reader needs to see named.
//
//   node scripts/function-lengths.mjs [--max 60] [paths...]   (default: src)
//
// Generated code (any folder named `generated`) and declaration files are not product source.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import ts from 'typescript';
import { sourceFiles } from './source-files.mjs';

const { values, positionals } = parseArgs({
  options: { max: { type: 'string', default: '60' } },
  allowPositionals: true,
});
const max = Number(values.max);
const roots = positionals.length > 0 ? positionals : ['src'];

const isFunction = (node) =>
  ts.isFunctionDeclaration(node) ||
  ts.isFunctionExpression(node) ||
  ts.isArrowFunction(node) ||
  ts.isMethodDeclaration(node) ||
  ts.isConstructorDeclaration(node) ||
  ts.isGetAccessorDeclaration(node) ||
  ts.isSetAccessorDeclaration(node);

function nameOf(node, file) {
  if (node.name) return node.name.getText(file);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (
    parent &&
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
  )
    return parent.name.getText(file);
  return '(anonymous)';
}

/** The functions of `file` that are longer than `max` lines of their own. */
function longFunctions(path) {
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const line = (position) => file.getLineAndCharacterOfPosition(position).line;
  const found = [];
  const visit = (node, owner) => {
    if (isFunction(node)) {
      const first = line(node.getStart(file));
      const last = line(node.getEnd());
      const own = { node, first, lines: new Set() };
      for (let at = first; at <= last; at++) own.lines.add(at);
      // A nested function's lines are its own, not its owner's (the line it starts on stays the owner's).
      if (owner) for (let at = first + 1; at <= last; at++) owner.lines.delete(at);
      ts.forEachChild(node, (child) => visit(child, own));
      if (own.lines.size > max) found.push({ name: nameOf(node, file), line: first + 1, lines: own.lines.size });
      return;
    }
    ts.forEachChild(node, (child) => visit(child, owner));
  };
  visit(file, undefined);
  return found;
}

let failures = 0;
for (const root of roots) {
  for (const path of sourceFiles(root)) {
    for (const { name, line, lines } of longFunctions(path)) {
      failures++;
      console.error(`${relative(process.cwd(), path)}:${line} ${name}: ${lines} lines of its own (at most ${max})`);
    }
  }
}
if (failures > 0) {
  console.error(`function-lengths: ${failures} function(s) longer than ${max} lines; split them into named steps`);
  process.exit(1);
}
