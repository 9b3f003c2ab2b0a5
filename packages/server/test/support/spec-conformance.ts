import { expect } from 'vitest';
import { type RawRequest, type RawResponse, sendRaw, specViolations } from '../../src/testing/index.js';

/** Sends a request and checks the response against the spec before the test looks at it. */
export async function sendConforming(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const response = await sendRaw(baseUrl, request);
  expect(
    specViolations(request.method ?? 'GET', request.path, response),
    `${request.method ?? 'GET'} ${request.path}`,
  ).toEqual([]);
  return response;
}
