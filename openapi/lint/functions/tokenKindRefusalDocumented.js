// Spectral function: an operation whose `x-token-kinds` leaves out some kind of token must say
// what a caller with that kind gets: a 403 response (following $refs) with an application/json
// example whose ApiFault code is `TokenKindNotAccepted`.
// Runs on the unresolved document, like errorBodiesUseFaultSchemas, to follow the $refs itself.
const REFUSAL_CODE = 'TokenKindNotAccepted';

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

export default function tokenKindRefusalDocumented(operation, options, context) {
  if (operation === null || typeof operation !== 'object') return [];
  const accepted = operation['x-token-kinds'];
  if (!Array.isArray(accepted)) return [];
  const refused = options.kinds.filter((kind) => !accepted.includes(kind));
  if (refused.length === 0) return [];
  const document = context.document.data;
  const forbidden = follow(document, operation.responses?.['403']);
  const examples = Object.values(forbidden?.content?.['application/json']?.examples ?? {});
  if (examples.some((example) => follow(document, example)?.value?.code === REFUSAL_CODE)) return [];
  return [
    {
      message: `The operation refuses ${refused.join(', ')} tokens: it needs a 403 response with an example whose code is ${REFUSAL_CODE}.`,
      path: [...context.path, 'responses'],
    },
  ];
}
