// Spectral function: each 4xx/5xx response (following $refs into components.responses) must
// declare an application/json body whose schema is a $ref to ApiFault, or ThrottleFault for 429.
// Runs on the unresolved document so that the $ref names themselves can be checked.
// `followRef` (lint/follow-ref.js) is a second $ref walker on purpose: Spectral loads these files by
// themselves, before any build, so they cannot import the package's own (built) `@usagebudget/openapi/pointer`.
import { followRef } from '../follow-ref.js';

const FAULT = '#/components/schemas/ApiFault';
const THROTTLE = '#/components/schemas/ThrottleFault';

export default function errorBodiesUseFaultSchemas(responses, _options, context) {
  if (responses === null || typeof responses !== 'object') return [];
  const document = context.document.data;
  const problems = [];
  for (const [status, declared] of Object.entries(responses)) {
    if (!/^[45]/.test(status)) continue;
    const expected = status === '429' ? THROTTLE : FAULT;
    const response = followRef(document, declared);
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
