import { type RawResponse, sendRaw } from '@usagebudget/server/testing';
import { describe, expect, it } from 'vitest';
import { startMock } from '../../src/index.js';
import { MOCK_ADMIN_PATH } from '../../src/test-controls/control-surface.js';
import { adminViolations, CONTROL_HEADERS, customer, seed, useSeededMock } from '../support/test-controls.js';

const server = useSeededMock();
const { getBudget } = server;

describe('the controls, against requests a web page could send', () => {
  const reset = (headers: Record<string, string>, body?: string) =>
    sendRaw(server.url, { method: 'POST', path: `${MOCK_ADMIN_PATH}/reset`, headers, ...(body ? { body } : {}) });
  const refusal = (response: RawResponse) => [response.status, JSON.parse(response.text).code];

  it('refuse a request without the X-Usagebudget-Mock header, which no page can send elsewhere unasked', async () => {
    // A form or a fetch() with no-cors from any page: a "simple" request, sent with no preflight.
    const simple = await reset({ 'Content-Type': 'text/plain' }, 'x');
    expect(refusal(simple)).toEqual([403, 'MockHeaderRequired']);
    expect(JSON.parse(simple.text).description).toContain('X-Usagebudget-Mock: 1');
    const read = await sendRaw(server.url, { path: `${MOCK_ADMIN_PATH}/journal` });
    expect(refusal(read)).toEqual([403, 'MockHeaderRequired']);
    expect(adminViolations('GET', `${MOCK_ADMIN_PATH}/journal`, read)).toEqual([]);
  });

  it('refuse a body that is not JSON, whatever the route', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const response = await reset({ ...CONTROL_HEADERS, 'Content-Type': type }, 'x');
      expect(refusal(response), type).toEqual([415, 'UnsupportedMediaType']);
    }
    const bodyWithoutType = await reset(CONTROL_HEADERS, 'x');
    expect(refusal(bodyWithoutType)).toEqual([415, 'UnsupportedMediaType']);
  });

  it('refuse a Host that is not loopback, an IP address or an allowed host (DNS rebinding)', async () => {
    const port = new URL(server.url).port;
    for (const foreign of [`attacker.example:${port}`, `127.0.0.1.nip.io:${port}`, 'localhost.attacker.example']) {
      const response = await reset({ ...CONTROL_HEADERS, Host: foreign });
      expect(refusal(response), foreign).toEqual([421, 'MisdirectedRequest']);
      expect(adminViolations('POST', `${MOCK_ADMIN_PATH}/reset`, response)).toEqual([]);
    }
    for (const local of [
      new URL(server.url).host,
      `localhost:${port}`,
      `[::1]:${port}`,
      `app.localhost:${port}`,
      `10.1.2.3:${port}`,
    ]) {
      expect((await reset({ ...CONTROL_HEADERS, Host: local })).status, local).toBe(204);
    }
  });

  it('refuse a page of a foreign origin, and give no CORS consent', async () => {
    for (const origin of ['https://attacker.example', 'null']) {
      const response = await reset({ ...CONTROL_HEADERS, Origin: origin });
      expect(refusal(response), origin).toEqual([403, 'CrossOriginRequest']);
    }
    expect((await reset({ ...CONTROL_HEADERS, Origin: `http://localhost:3000` })).status).toBe(204);
    const preflight = await sendRaw(server.url, {
      method: 'OPTIONS',
      path: `${MOCK_ADMIN_PATH}/reset`,
      headers: { Origin: 'https://attacker.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(Object.keys(preflight.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it('let in host names they are told to allow', async () => {
    const own = await startMock({ seed, allowedHosts: ['Mock'] });
    try {
      const port = new URL(own.url).port;
      const to = (hostHeader: string) =>
        sendRaw(own.url, {
          method: 'POST',
          path: `${MOCK_ADMIN_PATH}/reset`,
          headers: { ...CONTROL_HEADERS, Host: hostHeader },
        });
      expect((await to(`mock:${port}`)).status).toBe(204);
      expect((await to(`other:${port}`)).status).toBe(421);
    } finally {
      await own.close();
    }
  });

  it('leave the API alone: it needs none of this', async () => {
    expect((await getBudget(customer, { Origin: 'https://attacker.example' })).status).toBe(200);
  });
});
