// The published spec as other teams use it: openapi-generator's Python and Java clients, generated
// from the bundled spec, must compile and must work against the reference server.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { runToEnd, type ServerProcess, startServerProcess } from '@usagebudget/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientProgramsDir,
  findJavac,
  findPython,
  generateClient,
  javaDependencies,
  javaSources,
  type Language,
  PYTHON_PACKAGE,
  succeeded,
} from '../src/generated-clients.js';

const token = randomUUID();
// Two customers whose company name starts with "Cont" (one for each language to change the budget
// of), and one that the filter leaves out.
const forPython = {
  id: randomUUID(),
  name: 'Contoso Ltd',
  currency: 'EUR',
  cost: '412.77360021458339691162',
  budget: null,
};
const forJava = {
  id: randomUUID(),
  name: 'Contoso Pharmaceuticals',
  currency: 'USD',
  cost: '612.50330000000000325281',
  budget: 500,
};
const leftOut = { id: randomUUID(), name: 'Northwind Traders', currency: 'USD', cost: '1', budget: null };
const filter = JSON.stringify({ Field: 'CompanyName', Value: 'cont', Operator: 'starts_with' });

let scratch: string;
let server: ServerProcess;
let generated: Record<Language, Promise<string>>;

/** Generates `language`'s client into a folder of its own; the promise is awaited by the tests. */
function generate(language: Language): Promise<string> {
  const output = join(scratch, language);
  const done = mkdir(output)
    .then(() => generateClient(language, output))
    .then(() => output);
  done.catch(() => {}); // reported by the tests that await it
  return done;
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'usagebudget-generators-'));
  // Both generators at once (each its own JVM), while the server starts.
  generated = { python: generate('python'), java: generate('java') };
  server = await startServerProcess({
    config: {
      partners: [
        { id: randomUUID(), name: 'Generated clients', tokens: [token], customers: [forPython, forJava, leftOut] },
      ],
    },
  });
});

afterAll(async () => {
  await Promise.allSettled(Object.values(generated ?? {}));
  await server?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the Python client openapi-generator writes from the spec', () => {
  it('compiles, warnings as errors, and imports', async () => {
    const output = await generated.python;
    const python = await findPython();
    // Every file it wrote (the package, its tests, setup.py): a string the spec puts into code
    // unescaped is a syntax error, a backslash Python does not know is a warning.
    succeeded(
      'python3 -W error -m compileall',
      await runToEnd(python, ['-W', 'error', '-m', 'compileall', '-q', output]),
    );
    const imported = await runToEnd(
      python,
      ['-W', 'error', '-c', `import ${PYTHON_PACKAGE}; print(${PYTHON_PACKAGE}.__version__)`],
      {
        cwd: output,
      },
    );
    expect(succeeded(`import ${PYTHON_PACKAGE}`, imported).trim()).toMatch(/^\d/);
  });

  it('reads and sets a budget, lists customers by a filter over two pages, reads a cost, and gets the 400 of a filter the server refuses', async () => {
    const output = await generated.python;
    const python = await findPython();
    const run = await runToEnd(
      python,
      [join(clientProgramsDir, 'python_calls.py'), server.url, token, forPython.id, filter],
      {
        env: { ...process.env, PYTHONPATH: [output, process.env.PYTHONPATH].filter(Boolean).join(delimiter) },
        timeoutMs: 120_000,
      },
    );
    const seen = JSON.parse(succeeded('python_calls.py', run));
    expect(seen).toEqual({
      budgetBefore: null,
      budgetSet: 250.5,
      budgetAfter: 250.5,
      listed: ['Contoso Ltd', 'Contoso Pharmaceuticals'],
      secondPageToken: null,
      totalCost: Number(forPython.cost),
      currencyCode: 'EUR',
      totalCostDigits: forPython.cost,
      repeatedMemberFilter: [400, 'InvalidFilter'],
    });
  });
});

describe('the Java client (library native) openapi-generator writes from the spec', () => {
  let classes: string;

  it('compiles with javac 17 (its main sources: its tests need JUnit, which this machine lacks)', async () => {
    const output = await generated.java;
    const javac = await findJavac();
    const compiled = join(scratch, 'java-classes');
    const sources = await javaSources(join(output, 'src', 'main'));
    expect(sources.length).toBeGreaterThan(10);
    succeeded(
      'javac',
      await runToEnd(javac, ['-encoding', 'UTF-8', '-d', compiled, '-cp', javaDependencies(), ...sources], {
        timeoutMs: 180_000,
      }),
    );
    classes = compiled;
  });

  it('reads and sets a budget, lists customers by a filter over two pages, reads a cost with every digit, and gets the 400 of a filter the server refuses', async () => {
    expect(classes, 'compiled by the test above').toBeDefined();
    const classpath = [classes, javaDependencies()].join(delimiter);
    const caller = join(clientProgramsDir, 'GeneratedClientCalls.java');
    succeeded(
      'javac GeneratedClientCalls.java',
      await runToEnd(await findJavac(), ['-d', classes, '-cp', classpath, caller]),
    );
    const run = await runToEnd(
      'java',
      ['-cp', classpath, 'GeneratedClientCalls', server.url, token, forJava.id, filter],
      { timeoutMs: 120_000 },
    );
    const seen = JSON.parse(succeeded('GeneratedClientCalls', run));
    expect(seen).toEqual({
      budgetBefore: '500',
      budgetSet: '99.5',
      budgetAfter: '99.5',
      listed: ['Contoso Ltd', 'Contoso Pharmaceuticals'],
      secondPageToken: null,
      totalCostType: 'java.math.BigDecimal',
      totalCostDigits: forJava.cost,
      currencyCode: 'USD',
      unknownFieldFilter: [400, 'InvalidFilter'],
    });
  });
});
