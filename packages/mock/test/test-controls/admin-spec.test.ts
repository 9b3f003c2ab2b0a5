import SwaggerParser from '@apidevtools/swagger-parser';
import { sendRaw } from '@usagebudget/server/testing';
import { describe, expect, it } from 'vitest';
import { testControlsSpec } from '../../src/test-controls/admin-spec.js';
import { MOCK_ADMIN_PATH } from '../../src/test-controls/control-surface.js';
import { CONTROL_HEADERS, useSeededMock } from '../support/test-controls.js';

const server = useSeededMock();
const { admin } = server;

describe('the test controls’ own spec', () => {
  it('is a valid OpenAPI 3.0 document, served at /_mock/openapi.json', async () => {
    await SwaggerParser.validate(structuredClone(testControlsSpec));
    expect(JSON.parse((await admin('GET', '/openapi.json')).text)).toEqual(testControlsSpec);
  });

  it('describes every route: unknown paths are 404, other methods 405', async () => {
    expect((await sendRaw(server.url, { path: `${MOCK_ADMIN_PATH}/nope`, headers: CONTROL_HEADERS })).status).toBe(404);
    const wrong = await sendRaw(server.url, {
      method: 'PATCH',
      path: `${MOCK_ADMIN_PATH}/journal`,
      headers: CONTROL_HEADERS,
    });
    expect([wrong.status, wrong.headers.allow]).toEqual([405, 'GET, DELETE']);
  });
});
