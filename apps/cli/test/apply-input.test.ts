// The snapshot of `apply`'s file and the two passes over it, its journal and its lock, on files
// of their own (no server needed).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { checkInput, InputError, validRows } from '../src/apply/input.js';
import { JournalWriter, readJournal } from '../src/apply/journal.js';
import { ApplyBusyError, acquireRunLock, processStartTime } from '../src/apply/lock.js';
import { type Snapshot, takeSnapshot } from '../src/apply/snapshot.js';

const dir = mkdtempSync(join(tmpdir(), 'usagebudget-apply-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;
const file = (text: string | Buffer) => {
  const path = join(dir, `input-${count++}.csv`);
  writeFileSync(path, text);
  return path;
};
const snapshots: Snapshot[] = [];
afterAll(async () => {
  for (const snapshot of snapshots) await snapshot.close();
});
const snapshotOf = async (text: string | Buffer) => {
  const snapshot = await takeSnapshot(file(text));
  snapshots.push(snapshot);
  return snapshot;
};

const A = '0c39d6d5-c70d-4c55-bc02-f620844f3fd1';
const B = 'b5d3f0a2-7c41-4e8b-9f26-3a1e5c7d9b04';
const C = '44908a11-641b-4c53-b7fc-0f2bfca8a581';

describe('the snapshot of the file', () => {
  it('is what the file held when it was read, whatever happens to the file afterwards', async () => {
    const path = file(`customerId,budget\n${A},1\n`);
    const snapshot = await takeSnapshot(path);
    writeFileSync(path, `customerId,budget\n${A},999\n`);
    rmSync(path);
    const rows = [];
    for await (const row of validRows(snapshot, await checkInput(snapshot))) rows.push(row);
    expect(rows).toEqual([{ line: 2, customerId: A, amount: '1' }]);
    expect(snapshot.sha256).toMatch(/^[0-9a-f]{64}$/);
    await snapshot.close();
  });

  it('reads standard input once, whole', async () => {
    const stdin = Readable.from([Buffer.from('customerId,budget\n'), Buffer.from(`${B},2\n`)]);
    const snapshot = await takeSnapshot('-', { stdin });
    expect(snapshot.name).toBe('standard input');
    const check = await checkInput(snapshot);
    expect([...check.customers]).toEqual([[B, 2]]);
    const twice = [];
    for (let pass = 0; pass < 2; pass++) for await (const row of validRows(snapshot, check)) twice.push(row.customerId);
    expect(twice).toEqual([B, B]);
    await snapshot.close();
  });

  it('refuses what is not UTF-8 text, by line', async () => {
    await expect(takeSnapshot(file(Buffer.from([0x61, 0x0a, 0x62, 0xff, 0x0a])))).rejects.toMatchObject({
      message: expect.stringMatching(/^not UTF-8 text/),
      line: 2,
    });
    await expect(takeSnapshot(file(Buffer.from('\uFEFFa\0b')))).rejects.toThrow(/NUL byte/);
    await expect(takeSnapshot(file(Buffer.from([0xff, 0xfe, 0x61, 0x00])))).rejects.toThrow(/UTF-16/);
    await expect(takeSnapshot(join(dir, 'none.csv'))).rejects.toThrow(/^no such file$/);
    await expect(takeSnapshot(dir)).rejects.toThrow(/^not a regular file \(a directory\)/);
  });

  it('stops reading when its signal aborts', async () => {
    const stdin = new Readable({ read() {} });
    stdin.push('customerId,budget\n');
    const controller = new AbortController();
    const reading = takeSnapshot('-', { stdin, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('the file of apply', () => {
  it('reads a spreadsheet export: BOM, CRLF, quoted line breaks and blank lines, lines counted as written', async () => {
    const snapshot = await snapshotOf(
      `\uFEFFcustomerName,budget,customerId\r\n"Contoso, ""Ltd""\r\nEast",250.50,${A}\r\n\r\nFabrikam,,${B.toUpperCase()}\r\nNorthwind,abc,${C}\r\n,,\r\n`,
    );
    const check = await checkInput(snapshot);
    expect(check.problems).toEqual([
      {
        line: 6,
        reason: 'budget "abc": expected digits, optionally a "." and decimals, such as 1250.50',
        customerId: C,
        budget: 'abc',
      },
    ]);
    expect([...check.customers]).toEqual([
      [A, 2],
      [B, 5],
    ]);
    const rows = [];
    for await (const row of validRows(snapshot, check)) rows.push(row);
    expect(rows).toEqual([
      { line: 2, customerId: A, amount: '250.50' },
      { line: 5, customerId: B, amount: null },
    ]);
  });

  it('says which line breaks the CSV, which column is missing or named twice, and which rows have too many or too few fields', async () => {
    const broken = checkInput(await snapshotOf(`customerId,budget\n${A},1\n${B},"2\n`));
    await expect(broken).rejects.toBeInstanceOf(InputError);
    await expect(broken).rejects.toMatchObject({ line: 3, message: 'a quoted field is never closed' });
    await expect(checkInput(await snapshotOf(`customerId,budget\n${A},1"x"\n`))).rejects.toMatchObject({
      line: 2,
      message: expect.stringMatching(/^a quote in the middle of a field/),
    });
    await expect(checkInput(await snapshotOf(`id,budget\n${A},1\n`))).rejects.toThrow(
      /the header has no customerId column/,
    );
    await expect(checkInput(await snapshotOf(`customerId,Budget,budget\n${A},1,2\n`))).rejects.toMatchObject({
      line: 1,
      message: expect.stringMatching(/^the header names the column "budget" twice \(columns 2 and 3\)/),
    });
    await expect(checkInput(await snapshotOf(''))).rejects.toThrow(/the file is empty/);
    const uneven = await checkInput(
      await snapshotOf(`customerId,customerName,budget\n${A},Contoso\n${B},Fabrikam, Inc.,1,250.50\n`),
    );
    expect(uneven.problems).toEqual([
      { line: 2, reason: '2 fields where the header has 3', customerId: A, budget: `${A},Contoso` },
      {
        line: 3,
        reason: expect.stringMatching(/^5 fields where the header has 3: a comma outside quotes\?/),
        customerId: B,
        // Not the "1" a shifted column would give: a failed rows file never applies it.
        budget: `${B},Fabrikam, Inc.,1,250.50`,
      },
    ]);
    expect(uneven.validRows).toBe(0);
  });

  it("reads a cell neutralised as the CLI's CSV writes it (a leading single quote)", async () => {
    const check = await checkInput(await snapshotOf(`customerId,budget\n'${A},'7.5\n`));
    expect(check.problems).toEqual([]);
    expect([...check.customers]).toEqual([[A, 2]]);
  });

  it('keeps the amount of every row of a duplicated customer, for the failed rows', async () => {
    const check = await checkInput(await snapshotOf(`customerId,budget\n${A},1\n${B},2\n${A},3\n`));
    expect(check.problems.map(({ line, budget }) => [line, budget])).toEqual([
      [2, '1'],
      [4, '3'],
    ]);
  });
});

describe('the journal of apply', () => {
  const run = { kind: 'run', runId: A, sha256: 'f'.repeat(64), service: 'http://127.0.0.1:1', partner: B } as const;

  it('gives the unfinished run: its target, what is done, and what may have been sent', async () => {
    const path = join(dir, 'run.journal');
    const journal = new JournalWriter(path, false);
    journal.write(run);
    journal.write({ kind: 'send', customerId: B, amount: '1', requestId: C });
    journal.write({ kind: 'done', customerId: B, amount: '1', outcome: 'changed', requestId: C, line: 2, error: null });
    journal.write({ kind: 'send', customerId: C, amount: null, requestId: A });
    journal.close();
    // A line cut short by a crash, at the end, is left out.
    writeFileSync(path, '{"kind":"do', { flag: 'a' });
    const state = await readJournal(path);
    expect(state).toMatchObject({ runId: A, service: 'http://127.0.0.1:1', partner: B });
    expect([...(state?.done ?? [])]).toEqual([
      [B, { amount: '1', outcome: 'changed', requestId: C, line: 2, error: null }],
    ]);
    expect([...(state?.sent ?? [])]).toEqual([[C, { amount: null, requestId: A }]]);
  });

  it('refuses a journal with an unreadable line before others, and forgets a run that ended', async () => {
    const edited = join(dir, 'edited.journal');
    writeFileSync(edited, `${JSON.stringify(run)}\nnot json\n{"kind":"end"}\n`);
    await expect(readJournal(edited)).rejects.toThrow(/line 2: not a journal line/);
    const ended = join(dir, 'ended.journal');
    writeFileSync(ended, `${JSON.stringify(run)}\n{"kind":"end"}\n`);
    expect(await readJournal(ended)).toBeUndefined();
    expect(await readJournal(join(dir, 'none.journal'))).toBeUndefined();
    await expect(readJournal(dir)).rejects.toThrow(/is a directory/);
    // A target that no run of apply writes (it would be repeated in a message): not a journal.
    const forged = join(dir, 'forged.journal');
    writeFileSync(forged, `${JSON.stringify({ ...run, service: 'http://x\u001b[2J' })}\n`);
    await expect(readJournal(forged)).rejects.toThrow(/line 1: not a journal line/);
  });
});

describe('the lock of apply', () => {
  it("holds this process's pid and start time, refuses a second taker while held, and goes on release", () => {
    const path = join(dir, 'budgets.csv.lock');
    const lock = acquireRunLock('budgets.csv', path);
    const holder = JSON.parse(readFileSync(path, 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, startTime: processStartTime(process.pid), host: hostname() });
    expect(() => acquireRunLock('budgets.csv', path)).toThrow(ApplyBusyError);
    lock.release();
    acquireRunLock('budgets.csv', path).release();
  });

  it('takes over a lock whose holder is gone, restarted, or unreadable', () => {
    const path = join(dir, 'stale.csv.lock');
    const stale = [
      { pid: 2 ** 22 + 1, startTime: '1', host: hostname() },
      { pid: process.pid, startTime: 'another time', host: hostname() },
      { pid: process.pid, startTime: null, bootId: 'another boot', host: hostname() },
    ];
    for (const holder of stale) {
      writeFileSync(path, JSON.stringify(holder));
      acquireRunLock('stale.csv', path).release();
    }
    writeFileSync(path, 'not json');
    acquireRunLock('stale.csv', path).release();
    // On another host its holder cannot be checked: held.
    writeFileSync(path, JSON.stringify({ pid: 1, startTime: '1', host: `not-${hostname()}` }));
    expect(() => acquireRunLock('stale.csv', path)).toThrow(/on not-/);
    // A host no run writes (it would be shown in the message): not a lock of apply, taken over.
    writeFileSync(path, JSON.stringify({ pid: 1, startTime: '1', host: '\u001b]0;pwned\u0007' }));
    acquireRunLock('stale.csv', path).release();
  });
});
