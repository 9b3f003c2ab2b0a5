// Writes src/generated/limits.ts from the bundled spec: the limits of every parameter and of the
// schemas a request carries (its body, a parameter's `x-contentSchema`), and the properties typed
// as a cost, as constants that code checking a request before sending imports instead of
// restating them (the client inlines the module: it imports nothing, so neither the spec nor Ajv
// come with it). With --check it writes nothing and fails when the committed module differs (the
// `drift` task). Reads dist/ (the bundle and the `operations` entry): run after the build.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { costProperties, resolvePointer, specOperations } from '../dist/operations.js';
import { bundledJson, packageDir } from './paths.mjs';

const target = join(packageDir, 'src', 'generated', 'limits.ts');
const regenerate = 'pnpm --filter @usagebudget/openapi generate';
// The keywords a check before sending needs; the order they are written in.
const KEYWORDS = ['minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'enum', 'default', 'minItems', 'maxItems'];

/** `PartnerCenterApplication` -> `PARTNER_CENTER_APPLICATION`. */
const constantName = (name) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** A JSON value as TypeScript, lists spaced as Biome writes them. */
const literal = (value) => (Array.isArray(value) ? `[${value.map(literal).join(', ')}]` : JSON.stringify(value));

/** A schema's limit keywords as TypeScript (an array's items' as `items`), `undefined` when it has none. */
function limitsOf(spec, schema) {
  const entries = KEYWORDS.filter((keyword) => schema[keyword] !== undefined).map((keyword) => {
    const value = schema[keyword];
    // A RegExp, so that users call .test(); the spec's patterns are ECMAScript ones.
    const text = keyword === 'pattern' ? `/${value.replace(/\//g, '\\/')}/` : literal(value);
    return `${keyword}: ${text}`;
  });
  if (schema.items) {
    const items = schema.items.$ref ? resolvePointer(spec, schema.items.$ref).value : schema.items;
    const code = limitsOf(spec, items);
    if (code) entries.push(`items: ${code}`);
  }
  return entries.length > 0 ? `{ ${entries.join(', ')} }` : undefined;
}

function generate(spec) {
  const constants = new Map();
  const add = (name, doc, code) => {
    const constant = constantName(name);
    if (constants.has(constant)) throw new Error(`two limits would be named ${constant}`);
    constants.set(constant, `/** ${doc} */\nexport const ${constant} = ${code} as const;\n`);
  };
  const carried = new Set();
  for (const name of Object.keys(spec.components?.parameters ?? {})) {
    const { value: parameter } = resolvePointer(spec, `#/components/parameters/${name}`);
    const code = limitsOf(spec, parameter.schema ?? {});
    if (code) add(name, `Parameter \`${name}\`: \`${parameter.name}\` in ${parameter.in}.`, code);
    const content = parameter.schema?.['x-contentSchema']?.$ref;
    if (content) carried.add(content);
  }
  for (const { requestBody } of specOperations(spec)) {
    for (const media of Object.values(requestBody?.value.content ?? {})) {
      if (media.schema?.$ref) carried.add(media.schema.$ref);
    }
  }
  for (const pointer of [...carried].sort()) {
    const name = pointer.split('/').at(-1);
    const { value: schema } = resolvePointer(spec, pointer);
    const properties = Object.entries(schema.properties ?? {})
      .map(([property, definition]) => [property, limitsOf(spec, definition)])
      .filter(([, code]) => code !== undefined);
    if (properties.length === 0) continue;
    const code = `{\n${properties.map(([property, text]) => `  ${property}: ${text},`).join('\n')}\n}`;
    add(name, `Schema \`${name}\` (a request carries it): the limits of its properties.`, code);
  }
  const costs = [...new Set(costProperties(spec).map(({ property }) => property))].sort();
  add(
    'CostProperties',
    'The properties the spec types as a cost (`x-anyOf: [Decimal, number]`): a reader takes their number as its exact text.',
    literal(costs),
  );
  return `// Written by scripts/generate-limits.mjs from the bundled spec (\`${regenerate}\`); never edit.
// The spec's limits on what a request carries, for code that checks a request before sending it.
// No import: the client inlines this module.

${[...constants.values()].join('\n')}`;
}

const spec = JSON.parse(readFileSync(bundledJson, 'utf8'));
const text = generate(spec);
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {}
  if (committed !== text) {
    console.error(`${relative(packageDir, target)} is out of date with the spec.\nRun: ${regenerate}\nthen commit it.`);
    process.exit(1);
  }
  console.log(`${relative(packageDir, target)} matches the spec`);
} else {
  writeFileSync(target, text);
  console.log(`wrote ${relative(packageDir, target)}`);
}
