// The Python and Java clients another team generates from the published spec, and the tools this
// machine builds and runs them with: the generator JAR that openapitools.json pins (run by the
// repository's one script for it), python3 and javac.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { specPaths } from '@usagebudget/openapi';
import { type Finished, runToEnd } from '@usagebudget/server/testing';
import {
  type GeneratorOptions,
  generateArguments,
  generatorCommand,
  generatorJarPath,
} from '../../../scripts/openapi-generator.mjs';

export type Language = 'python' | 'java';

/** The Python package's name, and the Java client's root package. */
export const PYTHON_PACKAGE = 'usagebudget';
export const JAVA_PACKAGE = 'com.example.usagebudget';

/**
 * The options each client is generated with: the generator's defaults, but for the names and, in
 * Java, a library whose dependencies this machine has without Maven: `native` is java.net.http
 * and Jackson, which the generator's own JAR carries (the default `okhttp-gson` needs OkHttp and
 * Gson; `openApiNullable` would need jackson-databind-nullable).
 */
const GENERATORS: Readonly<Record<Language, GeneratorOptions>> = {
  python: { generatorName: 'python', additionalProperties: { packageName: PYTHON_PACKAGE } },
  java: {
    generatorName: 'java',
    library: 'native',
    additionalProperties: {
      invokerPackage: JAVA_PACKAGE,
      apiPackage: `${JAVA_PACKAGE}.api`,
      modelPackage: `${JAVA_PACKAGE}.model`,
      openApiNullable: false,
      dateLibrary: 'java8',
    },
  },
};

/** The folder of the programs that call the server with the generated clients. */
export const clientProgramsDir = new URL('../clients/', import.meta.url).pathname;

/** Throws with the program's output unless it exited with 0; returns its stdout. */
export function succeeded(what: string, finished: Finished): string {
  if (finished.code !== 0) {
    throw new Error(
      `${what} failed (${finished.signal ?? `exit ${finished.code}`}):\n${finished.stdout}\n${finished.stderr}`,
    );
  }
  return finished.stdout;
}

/** Generates the `language` client from the bundled spec (the published file) into `output`. */
export async function generateClient(language: Language, output: string): Promise<void> {
  const { command, args } = generatorCommand(
    generateArguments({ ...GENERATORS[language], inputSpec: specPaths.yaml, output }),
  );
  succeeded(`openapi-generator -g ${language}`, await runToEnd(command, args, { timeoutMs: 180_000 }));
}

/** The Python modules the generated package imports (its requirements.txt, Python 3 only). */
const PYTHON_REQUIREMENTS = ['urllib3', 'six', 'dateutil', 'certifi'];

/**
 * A python3 that has the generated package's requirements: the first on PATH, else Debian's
 * (where scripts/bootstrap.sh installs them when the one on PATH lacks them).
 */
export async function findPython(): Promise<string> {
  const candidates = ['python3', '/usr/bin/python3'];
  for (const python of candidates) {
    const probe = await runToEnd(python, ['-c', `import ${PYTHON_REQUIREMENTS.join(', ')}`]).catch(() => undefined);
    if (probe?.code === 0) return python;
  }
  throw new Error(
    `no python3 (${candidates.join(', ')}) imports ${PYTHON_REQUIREMENTS.join(', ')}, which the generated client needs: ` +
      'run scripts/bootstrap.sh, or apt-get install python3-urllib3 python3-six python3-dateutil python3-certifi',
  );
}

/** javac, or an error that says how to get it. */
export async function findJavac(): Promise<string> {
  const probe = await runToEnd('javac', ['-version']).catch(() => undefined);
  if (probe?.code === 0) return 'javac';
  throw new Error(
    'no javac on PATH: the Java client is compiled with a JDK 17. Run scripts/bootstrap.sh, or apt-get install openjdk-17-jdk-headless',
  );
}

/** Every `.java` file below `dir`. */
export async function javaSources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.java'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * The classpath of the generated Java client's dependencies: the generator's JAR, which carries
 * Jackson (core, databind, annotations, jsr310) and the javax annotations the models use.
 */
export function javaDependencies(): string {
  return generatorJarPath();
}
