// The allow-list: what a registration may name, and the address an attempt may connect to, checked
// on the resolved address (a stand-in DNS here, so each answer is the test's).
import { describe, expect, it } from 'vitest';
import {
  createTargetPolicy,
  isLoopbackAddress,
  parseAllowEntry,
  TargetRefused,
} from '../../src/webhooks/target-policy.js';

const dns: Record<string, string[]> = {
  localhost: ['127.0.0.1', '::1'],
  'rebound.localhost': ['10.0.0.5'],
  'mixed.localhost': ['127.0.0.1', '169.254.169.254'],
  receiver: ['172.18.0.4'],
  'zero.example': ['0.0.0.0'],
};
const lookup = async (host: string) => {
  const addresses = dns[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

describe('the webhook allow-list', () => {
  it('is loopback by default: loopback addresses in any form, localhost names; nothing else', () => {
    const policy = createTargetPolicy(['loopback'], lookup);
    for (const url of [
      'http://127.0.0.1:8080/events',
      'https://127.9.9.9/events',
      'http://[::1]:9000/events',
      'http://localhost:3000/events?secret=1',
      'http://hooks.localhost/events',
      'http://2130706433/events', // 127.0.0.1 as one number
      'http://0x7f.1/events',
      'http://[::ffff:127.0.0.1]/events',
    ]) {
      expect(policy.refusal(url), url).toBeUndefined();
    }
    for (const url of [
      'http://10.0.0.1/events',
      'http://169.254.169.254/latest/meta-data',
      'http://0.0.0.0:8080/events',
      'http://[::ffff:10.0.0.1]/events',
      'https://alerts.example.com/events',
      'http://receiver:8080/events',
    ]) {
      expect(policy.refusal(url), url).toMatch(/allow-list/);
    }
  });

  it('refuses what is not an absolute http(s) URL, and credentials or a fragment in it', () => {
    const policy = createTargetPolicy(['loopback'], lookup);
    for (const url of [
      'events',
      'ftp://127.0.0.1/x',
      'http://user:pw@127.0.0.1/x',
      'http://127.0.0.1/x#part',
      'file:///etc/passwd',
    ]) {
      expect(policy.refusal(url), url).toMatch(/absolute https URL/);
    }
  });

  it('lets through a listed host, on its port only when one is given', () => {
    const policy = createTargetPolicy(['receiver:8080', '192.0.2.7'], lookup);
    expect(policy.refusal('http://receiver:8080/events')).toBeUndefined();
    expect(policy.refusal('http://RECEIVER:8080/events')).toBeUndefined();
    expect(policy.refusal('http://receiver:8081/events')).toMatch(/allow-list/);
    expect(policy.refusal('http://receiver/events')).toMatch(/allow-list/);
    expect(policy.refusal('https://192.0.2.7:9443/events')).toBeUndefined();
    // Without `loopback` in the list, loopback is refused too: a shared sandbox's own services.
    expect(policy.refusal('http://127.0.0.1:8080/events')).toMatch(/allow-list/);
  });

  it('connects to the address it checked, and refuses a loopback name that resolves elsewhere', async () => {
    const policy = createTargetPolicy(['loopback'], lookup);
    expect(await policy.resolve(new URL('http://localhost:1/'))).toEqual({ address: '127.0.0.1', family: 4 });
    expect(await policy.resolve(new URL('http://[::1]:1/'))).toEqual({ address: '::1', family: 6 });
    await expect(policy.resolve(new URL('http://rebound.localhost/'))).rejects.toThrow(TargetRefused);
    await expect(policy.resolve(new URL('http://rebound.localhost/'))).rejects.toThrow(/resolves to 10\.0\.0\.5/);
    await expect(policy.resolve(new URL('http://mixed.localhost/'))).rejects.toThrow(/169\.254\.169\.254/);
    await expect(policy.resolve(new URL('http://10.0.0.1/'))).rejects.toThrow(TargetRefused);
    await expect(policy.resolve(new URL('http://nowhere.localhost/'))).rejects.toThrow(/ENOTFOUND/);
  });

  it("lets a listed name resolve where its operator's DNS says, but never to the unspecified address", async () => {
    const policy = createTargetPolicy(['receiver', 'zero.example'], lookup);
    expect(await policy.resolve(new URL('http://receiver/'))).toEqual({ address: '172.18.0.4', family: 4 });
    await expect(policy.resolve(new URL('http://zero.example/'))).rejects.toThrow(TargetRefused);
  });

  it('reads entries as loopback, HOST or HOST:PORT, and says what is wrong with another', () => {
    expect(parseAllowEntry('loopback')).toEqual({ kind: 'loopback' });
    expect(parseAllowEntry('Receiver:8080')).toEqual({ kind: 'host', host: 'receiver', port: '8080' });
    expect(parseAllowEntry('[::1]:9000')).toEqual({ kind: 'host', host: '::1', port: '9000' });
    for (const bad of ['http://receiver', 'receiver/path', 'user@receiver', 'receiver:', 'receiver:99999', '']) {
      expect(() => parseAllowEntry(bad), bad).toThrow(/loopback, HOST or HOST:PORT/);
    }
    expect(() => createTargetPolicy([])).toThrow(/needs an entry/);
    expect(isLoopbackAddress('127.255.0.1')).toBe(true);
    expect(isLoopbackAddress('128.0.0.1')).toBe(false);
  });
});
