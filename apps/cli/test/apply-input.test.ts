// The two passes over `apply`'s file and its journal, on files of their own (no server needed).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkInput, InputError, validRows } from '../src/apply-input.js';
import { JournalWriter, readJournal } from '../src/apply-journal.js';

const dir = mkdtempSync(join(tmpdir(), 'usagebudget-apply-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;
const file = (text: string) => {
  const path = join(dir, `input-${count++}.csv`);
  writeFileSync(path, text);
  return path;
};

const A = '0c39d6d5-c70d-4c55-bc02-f620844f3fd1';
const B = 'b5d3f0a2-7c41-4e8b-9f26-3a1e5c7d9b04';
const C = '44908a11-641b-4c53-b7fc-0f2bfca8a581';

describe('the file of apply', () => {
  it('reads a spreadsheet export: BOM, CRLF, quoted line breaks and blank lines, lines counted as written', async () => {
    const path = file(
      `\uFEFFcustomerName,budget,customerId\r\n"Contoso, ""Ltd""\r\nEast",250.50,${A}\r\n\r\nFabrikam,,${B.toUpperCase()}\r\nNorthwind,abc,${C}\r\n`,
    );
    const check = await checkInput(path);
    expect(check.problems).toEqual([{ line: 6, reason: 'budget "abc": it is not a decimal number such as 250.50' }]);
    expect([...check.customers]).toEqual([
      [A, 2],
      [B, 5],
    ]);
    const rows = [];
    for await (const row of validRows(path, check)) rows.push(row);
    expect(rows).toEqual([
      { line: 2, customerId: A, amount: '250.50' },
      { line: 5, customerId: B, amount: null },
    ]);
    expect(check.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('says which line breaks the CSV, and which column is missing', async () => {
    const broken = checkInput(file(`customerId,budget\n${A},1\n${B},"2\n`));
    await expect(broken).rejects.toBeInstanceOf(InputError);
    await expect(broken).rejects.toMatchObject({ line: 3 });
    await expect(checkInput(file(`id,budget\n${A},1\n`))).rejects.toThrow(/the header has no customerId column/);
    const short = await checkInput(file(`customerId,customerName,budget\n${A},Contoso\n`));
    expect(short.problems).toEqual([{ line: 2, reason: 'the row has no budget field (fewer fields than the header)' }]);
  });
});

describe('the journal of apply', () => {
  it('gives the unfinished run: what is done, and what may have been sent', async () => {
    const path = join(dir, 'run.journal');
    const journal = new JournalWriter(path, false);
    journal.write({ kind: 'run', runId: A, sha256: 'f'.repeat(64) });
    journal.write({ kind: 'send', customerId: B, amount: '1', requestId: C });
    journal.write({ kind: 'done', customerId: B, amount: '1', outcome: 'changed', requestId: C });
    journal.write({ kind: 'send', customerId: C, amount: null, requestId: A });
    journal.close();
    // A line cut short by a crash, at the end, is left out.
    writeFileSync(path, '{"kind":"do', { flag: 'a' });
    const state = await readJournal(path);
    expect(state?.runId).toBe(A);
    expect([...(state?.done ?? [])]).toEqual([[B, { amount: '1', outcome: 'changed' }]]);
    expect([...(state?.sent ?? [])]).toEqual([C]);
  });

  it('refuses a journal with an unreadable line before others, and forgets a run that ended', async () => {
    const edited = join(dir, 'edited.journal');
    writeFileSync(edited, `{"kind":"run","runId":"${A}","sha256":"x"}\nnot json\n{"kind":"end"}\n`);
    await expect(readJournal(edited)).rejects.toThrow(/line 2: not a journal line/);
    const ended = join(dir, 'ended.journal');
    writeFileSync(ended, `{"kind":"run","runId":"${A}","sha256":"x"}\n{"kind":"end"}\n`);
    expect(await readJournal(ended)).toBeUndefined();
    expect(await readJournal(join(dir, 'none.journal'))).toBeUndefined();
  });
});
