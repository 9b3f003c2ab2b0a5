// Spectral function: each 4xx/5xx response (following $refs into components.responses) must
// declare an application/json body whose schema is a $ref to ApiFault, or ThrottleFault for 429.
// Runs on the unresolved document so that the $ref names themselves can be checked.
// `follow` is a second $ref walker on purpose: Spectral loads this file by itself, before any build,
// so it cannot import the package's own (built) `@usagebudget/openapi/pointer`.
const FAULT = '#/components/schemas/ApiFault';
const THROTTLE = '#/components/schemas/ThrottleFault';

function follow(document, node) {
  let current = node;
  const seen = new Set();
  while (current && typeof current.$ref === 'string' && current.$ref.startsWith('#/')) {
    if (seen.has(current.$ref)) return undefined;
    seen.add(current.$ref);
    current = current.$ref
      .slice(2)
      .split('/')
      .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce((value, key) => (value == null ? undefined : value[key]), document);
  }
  return current;
}

export default function errorBodiesUseFaultSchemas(responses, _options, context) {
  if (responses === null || typeof responses !== 'object') return [];
  const document = context.document.data;
  const problems = [];
  for (const [status, declared] of Object.entries(responses)) {
    if (!/^[45]/.test(status)) continue;
    const expected = status === '429' ? THROTTLE : FAULT;
    const response = follow(document, declared);
    const schemaRef = response?.content?.['application/json']?.schema?.$ref;
    if (schemaRef !== expected) {
      problems.push({
        message: `${status} response must have an application/json body with schema $ref ${expected} (found ${schemaRef ?? 'none'}).`,
        path: [...context.path, status],
      });
    }
  }
  return problems;
}
