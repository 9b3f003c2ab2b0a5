// The bin's code (bin/usagebudget.js imports it): the one place that listens to the process's
// signals, and sets its exit code.
import { type ProcessSignals, run } from './main.js';

/**
 * The process's signals as one abort signal, `interrupt`, which every command gets.
 *
 * - Ctrl-C (SIGINT) aborts it: the call in flight stops and the command ends with exit code 130
 *   and its error report (a JSON line under --json); `apply` finishes the updates in flight first.
 * - SIGTERM aborts it too, so that the command stops what it started (a running --token-command,
 *   in a process group of its own, would outlive it), then ends the process as SIGTERM ends any
 *   program; a command that keeps a journal (`stopsOnTerminate`: `apply`) is stopped by it as by a
 *   first Ctrl-C instead.
 * - Once it has aborted, a Ctrl-C gets Node's default and ends the process at once.
 */
function processSignals(): ProcessSignals {
  const interruption = new AbortController();
  let stopOnTerminate = false;
  const onInterrupt = () => {
    process.off('SIGINT', onInterrupt);
    interruption.abort();
  };
  const onTerminate = () => {
    process.off('SIGINT', onInterrupt);
    interruption.abort();
    if (stopOnTerminate) return;
    process.off('SIGTERM', onTerminate);
    process.kill(process.pid, 'SIGTERM');
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onTerminate);
  return {
    interrupt: interruption.signal,
    stopOnTerminate: () => {
      stopOnTerminate = true;
    },
  };
}

process.exitCode = await run(process.argv.slice(2), {
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  // Made on first use, as Node makes it: only `apply -` reads it.
  get stdin() {
    return process.stdin;
  },
  signals: processSignals(),
});
