// The request table the facade sends from (src/generated/requests.ts): each operation's method,
// path template and body media type, and as types the parameters it passes. The headers every
// operation declares (the ids, the locale, the contract version, the application and client
// names) are the request pipeline's and are left out: the table has the rest.
import { specOperations } from '@usagebudget/openapi/operations';

/** A parameter's or a body's TypeScript type, from its schema. */
function typeOf(schema) {
  if (schema.$ref) return schema.$ref.split('/').at(-1);
  if (schema.enum) return schema.enum.map((value) => (typeof value === 'string' ? `'${value}'` : value)).join(' | ');
  if (schema.type === 'integer' || schema.type === 'number') return 'number';
  if (schema.type === 'string') return 'string';
  throw new Error(`the request table has no type for the schema ${JSON.stringify(schema)}`);
}

const quoted = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`);

/** The members of one location (`path`, `query`, `header`) of an operation's own parameters. */
function members(parameters, location) {
  return parameters
    .filter(({ in: where }) => where === location)
    .map(({ name, required, schema }) => `${quoted(name)}${required ? '' : '?'}: ${typeOf(schema ?? {})}`);
}

/** The text of src/generated/requests.ts for the bundled spec `document`. */
export function requestTable(document, regenerate) {
  const operations = specOperations(document);
  const key = ({ value }) => `${value.in} ${value.name}`;
  // The headers every operation declares: the pipeline sends them.
  const headersOf = ({ parameters }) => parameters.filter(({ value }) => value.in === 'header').map(key);
  const everywhere = new Set(
    headersOf(operations[0]).filter((name) => operations.every((operation) => headersOf(operation).includes(name))),
  );
  const models = new Set();
  const rows = [];
  const types = [];
  for (const { operationId, method, path, parameters, requestBody } of operations) {
    const own = parameters.filter((parameter) => !everywhere.has(key(parameter))).map(({ value }) => value);
    const [mediaType, media] = Object.entries(requestBody?.value.content ?? {})[0] ?? [];
    rows.push(
      `  ${operationId}: [${[method.toUpperCase(), path, ...(mediaType ? [mediaType] : [])].map((text) => `'${text}'`).join(', ')}],`,
    );
    const locations = [
      ['path', members(own, 'path')],
      ['query', members(own, 'query')],
      ['headers', members(own, 'header')],
    ].filter(([, list]) => list.length > 0);
    const fields = locations.map(([location, list]) => `${location}: { ${list.join('; ')} }`);
    if (media?.schema) {
      const body = typeOf(media.schema);
      if (media.schema.$ref) models.add(body);
      fields.push(`body: ${body}`);
    }
    types.push(`  ${operationId}: ${fields.length ? `{ ${fields.join('; ')} }` : 'Record<never, never>'};`);
  }
  const imports = models.size ? `import type { ${[...models].sort().join(', ')} } from './models/index.js';\n\n` : '';
  return `// Written by scripts/generate.mjs from the bundled spec (\`${regenerate}\`); never edit.
// The request of each operation: method, path template and, with a body, its media type. The
// headers every operation declares are the request pipeline's; \`OperationParameters\` has the rest.
${imports}export const requests = {
${rows.join('\n')}
} as const;

/** The spec's operationIds. */
export type OperationId = keyof typeof requests;

/** What each operation takes besides the headers every operation declares, by where it goes. */
export interface OperationParameters {
${types.join('\n')}
}
`;
}

/**
 * The text of src/generated/token-kinds.ts: the operations that accept app+user tokens only
 * (`x-token-kinds: [app+user]`), whose token a `TokenCredential` is asked for with the delegated
 * scope. Apart from the request table, so that only the credential's step, loaded on first use,
 * carries it.
 */
export function tokenKindsTable(document, regenerate) {
  const appUserOnly = specOperations(document)
    .filter(({ operation }) => {
      const kinds = operation['x-token-kinds'] ?? [];
      return kinds.length === 1 && kinds[0] === 'app+user';
    })
    .map(({ operationId }) => `'${operationId}'`);
  return `// Written by scripts/generate.mjs from the bundled spec (\`${regenerate}\`); never edit.
// The operations that accept app+user tokens only (the spec's \`x-token-kinds\`); the others accept both kinds.
import type { OperationId } from './requests.js';

export const appUserOnly: ReadonlySet<OperationId> = new Set<OperationId>([${appUserOnly.join(', ')}]);
`;
}
