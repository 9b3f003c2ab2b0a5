import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createContinuationTokens, type ListingPosition } from '../../src/customers/continuation-token.js';

const partner = randomUUID();
const position: ListingPosition = { size: 25, offset: 50, filter: { field: 'companyName', prefix: 'Cont/+=,.' } };

describe('continuation tokens', () => {
  const tokens = createContinuationTokens(undefined);

  it('give back the position they were issued with, to the partner they were issued to', () => {
    const token = tokens.issue(partner, position);
    expect(token).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(tokens.read(partner, token)).toEqual(position);
    const unfiltered = { size: 500, offset: 0, filter: undefined };
    expect(tokens.read(partner, tokens.issue(partner, unfiltered))).toEqual(unfiltered);
  });

  it("do not open for another partner, nor under another server's secret", () => {
    const token = tokens.issue(partner, position);
    expect(tokens.read(randomUUID(), token)).toBeUndefined();
    expect(createContinuationTokens(undefined).read(partner, token)).toBeUndefined();
    const secret = 's'.repeat(32);
    const shared = createContinuationTokens(secret).issue(partner, position);
    expect(createContinuationTokens(secret).read(partner, shared)).toEqual(position);
  });

  it('refuse any edit of a token: one character changed, added or removed', () => {
    const token = tokens.issue(partner, position);
    fc.assert(
      fc.property(
        fc.nat(),
        fc.constantFrom('change', 'insert', 'delete'),
        fc.string({ minLength: 1, maxLength: 1 }),
        (at, edit, char) => {
          const index = at % token.length;
          const edited =
            edit === 'delete'
              ? token.slice(0, index) + token.slice(index + 1)
              : token.slice(0, index) +
                (edit === 'insert' ? char : char === token[index] ? '' : char) +
                token.slice(index + (edit === 'insert' ? 0 : 1));
          if (edited === token) return;
          expect(tokens.read(partner, edited)).toBeUndefined();
        },
      ),
    );
  });

  it('refuse what is not a token', () => {
    for (const junk of ['', 'v1', 'v1..', 'v1.a.b.c', '...', `v1.${'A'.repeat(5000)}.x`]) {
      expect(tokens.read(partner, junk)).toBeUndefined();
    }
  });
});
