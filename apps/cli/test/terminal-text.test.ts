import { describe, expect, it } from 'vitest';
import { displayWidth, jsonLine, padEnd, padStart, terminalLines, terminalText } from '../src/terminal-text.js';

/** What no terminal may get from text the CLI did not write. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

describe('terminalText', () => {
  it.each([
    ['CSI (recolour, clear the screen)', 'a\u001b[31mred\u001b[2J', 'a\\u{1b}[31mred\\u{1b}[2J'],
    [
      'OSC 8 (a hyperlink) ended by BEL',
      '\u001b]8;;https://evil.example\u0007x',
      '\\u{1b}]8;;https://evil.example\\u{7}x',
    ],
    ['OSC 0 (the window title) ended by ST', '\u001b]0;pwned\u001b\\', '\\u{1b}]0;pwned\\u{1b}\\'],
    ['DCS', '\u001bPq#0\u001b\\', '\\u{1b}Pq#0\\u{1b}\\'],
    ['C1 CSI, OSC, DCS and ST', '\u009b2J\u009d0;t\u0090q\u009c', '\\u{9b}2J\\u{9d}0;t\\u{90}q\\u{9c}'],
    [
      'a line break, a carriage return, a tab, a backspace, NUL, DEL',
      'a\nb\rc\td\be\u0000f\u007f',
      'a\\u{a}b\\u{d}c\\u{9}d\\u{8}e\\u{0}f\\u{7f}',
    ],
    [
      'bidi overrides, embeddings and isolates',
      '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069',
      '\\u{202a}\\u{202b}\\u{202c}\\u{202d}\\u{202e}\\u{2066}\\u{2067}\\u{2068}\\u{2069}',
    ],
    ['bidi marks', 'a\u200eb\u200fc\u061cd', 'a\\u{200e}b\\u{200f}c\\u{61c}d'],
    [
      'zero-width and invisible characters',
      'a\u200bb\u200cc\u200dd\u2060e\ufefff\u00adg',
      'a\\u{200b}b\\u{200c}c\\u{200d}d\\u{2060}e\\u{feff}f\\u{ad}g',
    ],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u{2028}b\\u{2029}c'],
    ['tag characters', 'a\u{e0001}\u{e0041}b', 'a\\u{e0001}\\u{e0041}b'],
    ['a lone surrogate', 'a\ud800b', 'a\\u{d800}b'],
  ])('shows %s as visible escapes', (_, text, shown) => {
    expect(terminalText(text)).toBe(shown);
  });

  it('leaves printable text of any script as it is: accents, CJK, emoji, combining marks', () => {
    const text = 'Café Crème, 株式会社テスト, Ελληνικά, عربى, 🚀 Rocket, Cafe\u0301, ©®';
    expect(terminalText(text)).toBe(text);
  });

  it('lets no unsafe character of all of Unicode through, and changes no other', () => {
    for (let point = 0; point <= 0x10ffff; point++) {
      const character = String.fromCodePoint(point);
      const shown = terminalText(character);
      if (UNSAFE.test(character)) expect(shown).toBe(`\\u{${point.toString(16)}}`);
      else if (shown !== character) expect.fail(`U+${point.toString(16)} was changed`);
    }
  });

  it('keeps the line breaks of a text of several lines, and escapes the rest', () => {
    expect(terminalLines('line 1: a\u001b[2J\nline 2\n')).toBe('line 1: a\\u{1b}[2J\nline 2\n');
  });
});

describe('jsonLine', () => {
  it('gives the same data, with nothing a terminal acts on', () => {
    const value = { name: 'Evil\u001b]8;;x\u0007\u009b31m\u202eFED\u200b\u{e0041}\u2028Ltd', n: 1 };
    const line = jsonLine(value);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(UNSAFE);
    expect(JSON.parse(line)).toEqual(value);
    expect(line).toContain('\\u009b31m\\u202eFED\\u200b\\udb40\\udc41\\u2028Ltd');
  });
});

describe('display width', () => {
  it('counts wide characters as two columns and combining ones as none', () => {
    expect(displayWidth('Contoso')).toBe(7);
    expect(displayWidth('株式会社')).toBe(8);
    expect(displayWidth('Cafe\u0301')).toBe(4);
    expect(displayWidth('🚀 x')).toBe(4);
  });

  it('pads to display columns', () => {
    expect(padEnd('株式', 6)).toBe('株式  ');
    expect(padStart('Cafe\u0301', 6)).toBe('  Cafe\u0301');
    expect(padEnd('too long', 3)).toBe('too long');
  });
});
