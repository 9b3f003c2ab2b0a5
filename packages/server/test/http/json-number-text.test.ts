import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonArrayStream, jsonChunks, jsonText, NumberText } from '../../src/http/json-number-text.js';

describe('jsonText', () => {
  it('writes JSON as JSON.stringify does, with each NumberText digit for digit', () => {
    const value = { a: [1, 'x', null, { b: true }], c: 'q"uote', d: undefined, e: {} };
    expect(jsonText(value)).toBe(JSON.stringify(value));
    const cost = new NumberText('28.82860766744404945074');
    expect(jsonText({ totalCost: cost, list: [cost] })).toBe(
      '{"totalCost":28.82860766744404945074,"list":[28.82860766744404945074]}',
    );
    fc.assert(
      fc.property(fc.jsonValue(), (any) => {
        expect(jsonText(any)).toBe(JSON.stringify(any));
      }),
    );
  });

  it('refuses text that is not a JSON number', () => {
    for (const text of ['1.', '.5', '01', 'NaN', '1,5', '"1"', '']) expect(() => new NumberText(text)).toThrow();
    expect(new NumberText('1e+21').text).toBe('1e+21');
  });
});

describe('jsonChunks', () => {
  /** The pieces of `jsonChunks(value)`, in order. */
  const chunksOf = async (value: unknown) => {
    const pieces: string[] = [];
    for await (const piece of jsonChunks(value)) pieces.push(piece);
    return pieces;
  };

  it('writes the bytes jsonText writes, a streamed array one batch per piece, each batch read only when needed', async () => {
    const cost = new NumberText('0.10000000000000000001');
    const items = [[{ cost }, { cost, n: 1 }], [], [{ cost, n: [2] }]];
    const read: number[] = [];
    const batches = async function* () {
      for (const [index, batch] of items.entries()) {
        read.push(index);
        yield batch;
      }
    };
    const value = (list: unknown) => ({ totalCount: 3, items: list, tail: { x: undefined, y: [null] } });
    const pieces = jsonChunks(value(new JsonArrayStream(batches())));
    const taken: string[] = [];
    for await (const piece of pieces) {
      taken.push(piece);
      if (piece.includes('"n":1')) expect(read).toEqual([0]);
    }
    expect(taken.join('')).toBe(jsonText(value(items.flat())));
    expect(jsonText(value(new JsonArrayStream(items)))).toBe(jsonText(value(items.flat())));
    expect(() => jsonText(new JsonArrayStream(batches()))).toThrow(TypeError);
    expect((await chunksOf(new JsonArrayStream([]))).join('')).toBe('[]');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.jsonValue())), fc.jsonValue(), async (chunks, other) => {
        const streamed = (await chunksOf({ other, list: new JsonArrayStream(chunks), end: [other] })).join('');
        expect(streamed).toBe(JSON.stringify({ other, list: chunks.flat(), end: [other] }));
      }),
    );
  });
});
