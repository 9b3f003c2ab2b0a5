// The baseline: a bare node:http server that answers what the reference server answers, with no
// routing, auth, validation or storage. Run as its own process, like the server it is compared with.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listeningLine } from '@usagebudget/server/testing';

const budget = process.env.BENCH_BUDGET_JSON;
if (!budget) throw new Error('bare-server: set BENCH_BUDGET_JSON to the body a GET answers');
const template = JSON.parse(budget) as Record<string, unknown>;
const headers = { 'Content-Type': 'application/json; charset=utf-8' };

const server = createServer((req, res) => {
  if (req.method !== 'PATCH') {
    res.writeHead(200, { ...headers, 'Content-Length': Buffer.byteLength(budget) });
    res.end(budget);
    return;
  }
  // A PATCH still costs what any server pays: read and parse the body, render the new budget.
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const { amount } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { amount: number | null };
    const body = JSON.stringify({ ...template, amount, usageSpendingBudget: amount });
    res.writeHead(200, { ...headers, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${listeningLine(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)}\n`);
});
