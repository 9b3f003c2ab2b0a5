import { startPrism } from '@usagebudget/mock/prism';
import { type StartedProcess, startNodeServer } from '@usagebudget/server/testing';
import { mockBinPath } from './servers.js';

/** What is timed from spawn to its ready line: the mock's bin in each mode, and Prism's own CLI. */
export const READY_PROBES = ['stateful mock', 'static mock', 'Prism CLI'] as const;
export type ReadyProbe = (typeof READY_PROBES)[number];

const starters: Record<ReadyProbe, () => Promise<StartedProcess>> = {
  'stateful mock': () =>
    startNodeServer({ name: 'stateful mock', script: mockBinPath, args: ['--port', '0'], timeoutMs: 60_000 }),
  'static mock': () =>
    startNodeServer({
      name: 'static mock',
      script: mockBinPath,
      args: ['--mode', 'static', '--port', '0'],
      timeoutMs: 60_000,
    }),
  // The static mock runs Prism so: its CLI with this Node, on the bundled spec, with --errors.
  'Prism CLI': () => startPrism({ mode: 'mock' }),
};

/**
 * Milliseconds from spawning each probe to the line that says it listens (its port then answers),
 * in interleaved rounds, each round starting with another probe. Each is stopped before the next
 * starts, so they never compete with one another.
 */
export async function measureTimeToReady(
  rounds: number,
  progress: (line: string) => void,
): Promise<Record<ReadyProbe, number[]>> {
  const times = Object.fromEntries(READY_PROBES.map((probe) => [probe, [] as number[]])) as Record<
    ReadyProbe,
    number[]
  >;
  for (let round = 0; round < rounds; round++) {
    for (let index = 0; index < READY_PROBES.length; index++) {
      const probe = READY_PROBES[(round + index) % READY_PROBES.length] as ReadyProbe;
      const started = performance.now();
      const running = await starters[probe]();
      times[probe].push(performance.now() - started);
      await running.stop();
    }
    progress(
      `time to ready, round ${round + 1}/${rounds}: ${READY_PROBES.map((probe) => `${probe} ${Math.round(times[probe].at(-1) ?? 0)} ms`).join(', ')}`,
    );
  }
  return times;
}
