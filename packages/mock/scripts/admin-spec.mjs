// Ships the test controls' OpenAPI document as a file (`@usagebudget/mock/admin-openapi.json`),
// written from the one the stateful mock serves at /_mock/openapi.json.
import { writeFileSync } from 'node:fs';
import { testControlsSpec } from '../dist/stateful-mock.js';

writeFileSync(new URL('../admin-openapi.json', import.meta.url), `${JSON.stringify(testControlsSpec, null, 2)}\n`);
