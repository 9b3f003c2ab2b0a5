// Validates the spec against the OpenAPI 3.0 schema, bundles it into one document (external
// $refs inlined, internal ones kept), and writes it as JSON and YAML plus a typed module that
// exports it, so other workspaces import the bundle instead of reaching into this folder; and the
// spec's schemas as TypeScript types (openapi-typescript), for code that writes them by hand.
import { mkdirSync, writeFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import openapiTS, { astToString } from 'openapi-typescript';
import { stringify } from 'yaml';
import { bundledJson, bundledTypes, bundledYaml, distDir, sourceSpec } from './paths.mjs';

await SwaggerParser.validate(sourceSpec);
const bundled = await SwaggerParser.bundle(sourceSpec);
if (!String(bundled.openapi).startsWith('3.0.')) {
  throw new Error(`openapi ${bundled.openapi}: the client generator reads OpenAPI 3.0.x only`);
}

mkdirSync(distDir, { recursive: true });
const json = `${JSON.stringify(bundled, null, 2)}\n`;
writeFileSync(bundledJson, json);
writeFileSync(bundledYaml, stringify(bundled, { lineWidth: 0 }));

const literal = JSON.stringify(bundled);
writeFileSync(
  `${distDir}/index.js`,
  `import { fileURLToPath } from 'node:url';
/** The bundled OpenAPI document. */
export const spec = ${literal};
/** Absolute paths of the bundled spec files, for tools that take a file (Prism, generators). */
export const specPaths = {
  json: fileURLToPath(new URL('./usagebudget.json', import.meta.url)),
  yaml: fileURLToPath(new URL('./usagebudget.yaml', import.meta.url)),
  docs: fileURLToPath(new URL('./docs/', import.meta.url)),
};
export default spec;
`,
);
writeFileSync(
  `${distDir}/index.cjs`,
  `'use strict';
const { join, sep } = require('node:path');
/** The bundled OpenAPI document. */
const spec = ${literal};
/** Absolute paths of the bundled spec files, for tools that take a file (Prism, generators). */
const specPaths = {
  json: join(__dirname, 'usagebudget.json'),
  yaml: join(__dirname, 'usagebudget.yaml'),
  docs: join(__dirname, 'docs') + sep,
};
module.exports = { spec, specPaths, default: spec };
`,
);
const declarations = `import type { OpenAPIV3 } from 'openapi-types';
/** The bundled OpenAPI document. */
export declare const spec: OpenAPIV3.Document;
/** Absolute paths of the bundled spec files, for tools that take a file (Prism, generators). */
export declare const specPaths: { readonly json: string; readonly yaml: string; readonly docs: string };
`;
// index.cjs sets module.exports.default too, so one declaration file fits both formats.
writeFileSync(`${distDir}/index.d.ts`, `${declarations}export default spec;\n`);
writeFileSync(`${distDir}/index.d.cts`, `${declarations}export default spec;\n`);
// structuredClone: openapi-typescript may annotate the object it is given.
const types = astToString(await openapiTS(structuredClone(bundled)));
writeFileSync(
  bundledTypes,
  `// The spec's schemas as TypeScript types, written by openapi-typescript from the bundled spec.
${types}
/** A schema of the spec as a type, by its name under components.schemas: \`Schema<'ApiFault'>\`. */
export type Schema<Name extends keyof components['schemas']> = components['schemas'][Name];
`,
);
console.log(`bundled ${sourceSpec} -> ${bundledJson}, ${bundledYaml}`);
