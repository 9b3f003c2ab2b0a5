import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { readCell, spreadsheetCell, spreadsheetCsv } from '../src/budget-csv.js';

// Cells a spreadsheet runs as formulas (OWASP's CSV injection), cells that only look like them,
// and the single quote that neutralises them.
const CELLS = [
  '=1+1',
  '+1',
  '-1',
  '-12.50',
  '@SUM(A1)',
  '\t=1',
  '\r=1',
  "'",
  "'=1",
  "''x",
  'a=1',
  'Fabrikam, "Inc."',
  'Line\nbreak',
  'Bare\rreturn',
  '',
  'plain',
];

describe('the CSV files of the CLI', () => {
  it('neutralise every cell that starts with = + - @ TAB or CR, and read back as the same values', () => {
    for (const cell of CELLS) {
      const written = spreadsheetCell(cell);
      expect(written, JSON.stringify(cell)).not.toMatch(/^[=+\-@\t\r]/);
      expect(readCell(written)).toBe(cell);
    }
    expect(spreadsheetCell('=1+1')).toBe("'=1+1");
    expect(spreadsheetCell('plain')).toBe('plain');
  });

  it('quote a neutralised cell and any with CR or LF, so that no reader splits a row', () => {
    const text = spreadsheetCsv(
      ['name', 'n'],
      CELLS.map((name, n) => ({ name, n })),
    );
    expect(text.startsWith('name,n\n')).toBe(true);
    expect(text).toContain('"\'=1+1",0\n');
    expect(text).toContain('"Bare\rreturn",13\n');
    for (const delimiters of [undefined, ['\r\n', '\n', '\r']]) {
      const records = parse(text, { columns: true, ...(delimiters ? { record_delimiter: delimiters } : {}) }) as {
        name: string;
      }[];
      expect(records.map((record) => readCell(record.name))).toEqual(CELLS);
    }
  });
});
