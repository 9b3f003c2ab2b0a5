#!/usr/bin/env node
import { run } from './main.js';

// Ctrl-C aborts the call, which then ends with exit code 130 and its error report (a JSON line
// under --json). Once only: a second Ctrl-C gets Node's default and ends the process at once.
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());

process.exitCode = await run(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  interrupt: interrupt.signal,
});
