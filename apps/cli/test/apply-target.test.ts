import { describe, expect, it } from 'vitest';
import { normalisedService, tokenFingerprint, tokenTenant } from '../src/apply/target.js';

const jwt = (claims: object) =>
  [{ alg: 'RS256', typ: 'JWT' }, claims]
    .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
    .concat('c2lnbmF0dXJl')
    .join('.');

describe("the target of an apply run's journal", () => {
  it("reads the partner's tenant from a JWT's tid claim, and nothing from any other token", () => {
    const tid = '4C8A2D1E-5B7F-4E39-9A06-2F1D3C4B5A69';
    expect(tokenTenant(jwt({ tid, aud: 'https://api.partnercenter.microsoft.com' }))).toBe(tid.toLowerCase());
    expect(tokenTenant(jwt({ aud: 'x' }))).toBeUndefined();
    expect(tokenTenant(jwt({ tid: 'not-a-guid' }))).toBeUndefined();
    expect(tokenTenant('usagebudget-demo-token')).toBeUndefined();
    expect(tokenTenant('a.b.c')).toBeUndefined();
  });

  it('names an opaque token by a fingerprint that does not give it back', () => {
    expect(tokenFingerprint('usagebudget-demo-token')).toMatch(/^[0-9a-f]{16}$/);
    expect(tokenFingerprint('usagebudget-demo-token')).toBe(tokenFingerprint('usagebudget-demo-token'));
    expect(tokenFingerprint('another')).not.toBe(tokenFingerprint('usagebudget-demo-token'));
  });

  it('records the service by scheme, host, port and path', () => {
    expect(normalisedService('https://api.partnercenter.microsoft.com/')).toBe(
      'https://api.partnercenter.microsoft.com',
    );
    expect(normalisedService('http://127.0.0.1:4020')).toBe('http://127.0.0.1:4020');
    expect(normalisedService('HTTP://Proxy.Example:8443/pc/')).toBe('http://proxy.example:8443/pc');
  });
});
