// The one way this repository runs openapi-generator: `java -jar` on the JAR that
// openapitools.json pins (`generator-cli.version`), at `generator-cli.storageDir/<version>.jar`,
// where install-generator-jar.mjs copies it from npm (Maven Central is unreachable here). The
// client's `generate` and `drift` run the generator openapitools.json names `client`; the generator
// tests (tests/generators) run the Python and Java generators other teams use, with the same code.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The root openapitools.json's path. */
export const generatorConfigPath = join(repositoryRoot, 'openapitools.json');

/**
 * openapitools.json's `generator-cli`: the pinned `version`, the JAR folder `storageDir` and the
 * named `generators`.
 * @returns {{ version: string; storageDir: string; generators: Record<string, GeneratorOptions> }}
 */
export function generatorConfig() {
  return JSON.parse(readFileSync(generatorConfigPath, 'utf8'))['generator-cli'];
}

/** Where the pinned JAR is (or is copied to by install-generator-jar.mjs). */
export function generatorJarPath() {
  const { storageDir, version } = generatorConfig();
  return join(repositoryRoot, storageDir, `${version}.jar`);
}

/**
 * A generator's options as openapitools.json writes them: `generatorName`, `inputSpec`, `output`,
 * `library`, `additionalProperties` (an object) and any other option of `generate`, in camelCase.
 * @typedef {Record<string, string | boolean | Record<string, string | number | boolean>>} GeneratorOptions
 */

/**
 * The command-line arguments of `generate` for `options`, spelled as the openapi-generator-cli
 * wrapper spells openapitools.json's options: `--kebab-case=value`, an object as `k=v,k=v`, `true`
 * as a bare flag.
 * @param {GeneratorOptions} options
 * @returns {string[]}
 */
export function generateArguments(options) {
  const args = ['generate'];
  for (const [key, value] of Object.entries(options)) {
    const flag = `--${key.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`;
    if (value === true) args.push(flag);
    else if (typeof value === 'string') args.push(`${flag}=${value}`);
    else if (value && typeof value === 'object') {
      args.push(
        `${flag}=${Object.entries(value)
          .map(([name, setting]) => `${name}=${setting}`)
          .join(',')}`,
      );
    } else if (value !== false) throw new Error(`openapi-generator option ${key}: unsupported value ${String(value)}`);
  }
  return args;
}

/**
 * The command that runs the pinned openapi-generator with `args` (`['generate', ...]`, or
 * `generateArguments(...)`), for callers that run programs their own way (tests track their
 * children). Throws when the JAR is missing.
 * @param {readonly string[]} args
 * @returns {{ command: string; args: string[] }}
 */
export function generatorCommand(args) {
  const jar = generatorJarPath();
  if (!existsSync(jar)) {
    throw new Error(`no openapi-generator JAR at ${jar}: run pnpm install (its postinstall copies it from npm)`);
  }
  return { command: 'java', args: ['-jar', jar, ...args] };
}

/**
 * Runs `generatorCommand(args)` and resolves with its output; rejects with that output when it
 * exits with an error. Calls run in parallel: each is a JVM of its own.
 * @param {readonly string[]} args
 * @returns {Promise<{ stdout: string; stderr: string }>}
 */
export function runGenerator(args) {
  let command;
  try {
    command = generatorCommand(args);
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command.command, command.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', (error) =>
      reject(new Error(`cannot run java (openapi-generator needs Java 17): ${error.message}`)),
    );
    child.on('close', (code, signal) => {
      if (code === 0) resolve({ stdout, stderr });
      else
        reject(
          new Error(`openapi-generator ${args[0] ?? ''} failed (${signal ?? `exit ${code}`}):\n${stdout}\n${stderr}`),
        );
    });
  });
}
