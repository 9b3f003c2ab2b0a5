// Spectral function: an operation whose `x-token-kinds` leaves out some kind of token must say
// what a caller with that kind gets: a 403 response (following $refs) with an application/json
// example whose ApiFault code is `TokenKindNotAccepted`.
// Runs on the unresolved document, like errorBodiesUseFaultSchemas, to follow the $refs itself.
import { followRef } from '../follow-ref.js';

const REFUSAL_CODE = 'TokenKindNotAccepted';

export default function tokenKindRefusalDocumented(operation, options, context) {
  if (operation === null || typeof operation !== 'object') return [];
  const accepted = operation['x-token-kinds'];
  if (!Array.isArray(accepted)) return [];
  const refused = options.kinds.filter((kind) => !accepted.includes(kind));
  if (refused.length === 0) return [];
  const document = context.document.data;
  const forbidden = followRef(document, operation.responses?.['403']);
  const examples = Object.values(forbidden?.content?.['application/json']?.examples ?? {});
  if (examples.some((example) => followRef(document, example)?.value?.code === REFUSAL_CODE)) return [];
  return [
    {
      message: `The operation refuses ${refused.join(', ')} tokens: it needs a 403 response with an example whose code is ${REFUSAL_CODE}.`,
      path: [...context.path, 'responses'],
    },
  ];
}
