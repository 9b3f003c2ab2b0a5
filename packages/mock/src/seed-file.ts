import { readFile } from 'node:fs/promises';
import type { Seed } from './test-controls/seed.js';

/** The seed as given, or read from the JSON file it names, and the name its problems are reported under. */
export async function seedFrom(seed: Seed | string | undefined): Promise<{ value: unknown; source: string }> {
  if (typeof seed !== 'string') return { value: seed, source: 'seed' };
  let text: string;
  try {
    text = await readFile(seed, 'utf8');
  } catch (error) {
    throw new Error(`${seed}: ${(error as Error).message}`);
  }
  try {
    return { value: JSON.parse(text), source: seed };
  } catch (error) {
    throw new Error(`${seed}: not JSON: ${(error as Error).message}`);
  }
}
