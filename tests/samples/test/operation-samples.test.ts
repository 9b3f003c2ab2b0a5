// Every sample of every operation of the spec (operations/<operationId>/: the TypeScript SDK, the
// CLI, curl), as the docs show it, run against the reference server. Each must exit 0 with nothing
// on stderr, and the server's access log must show it called its operation and was answered with
// a 2xx. curl's output, the response body, must match the spec's schema for that response. For an
// operation in ../src/value-checks.ts the test also arranges the server's state before each sample
// (and may give the sample its own partner, or a value to read, in its environment), and checks
// the sample's output against the values the server holds.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spec } from '@usagebudget/openapi';
import { specOperations } from '@usagebudget/openapi/operations';
import { jsonPointer } from '@usagebudget/openapi/pointer';
import { createSpecValidator } from '@usagebudget/openapi/validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestsDuring } from '../src/access-log.js';
import { describeRun, runSample, workspaceDir } from '../src/run-sample.js';
import { type SampleEnvironment, startSampleEnvironment } from '../src/sample-environment.js';
import { shows, valueChecks } from '../src/value-checks.js';

/** The sample that prints the response body as it came. */
const RESPONSE_BODY_SAMPLE = 'curl.sh';

const validator = createSpecValidator(spec);
let environment: SampleEnvironment;

beforeAll(async () => {
  environment = await startSampleEnvironment();
});

afterAll(async () => {
  await environment?.close();
});

for (const operation of specOperations(spec)) {
  const folder = join('operations', operation.operationId);
  // A missing folder fails the docs' build first, naming the operation; here it fails the collection.
  const files = readdirSync(join(workspaceDir, folder)).sort();

  describe(`${operation.operationId} (${operation.method.toUpperCase()} ${operation.path})`, () => {
    it.each(files)('%s runs against the reference server and prints what it got', async (file) => {
      const valueCheck = valueChecks[operation.operationId];
      const arranged = await valueCheck?.arrange(environment);
      const { result: run, requests } = await requestsDuring(environment.server, () =>
        runSample(join(folder, file), { ...environment.env, ...arranged?.env }),
      );
      expect(run.code, describeRun(run)).toBe(0);
      expect(run.stderr, describeRun(run)).toBe('');

      const called = requests.filter(
        ({ method, route }) => method === operation.method.toUpperCase() && route === operation.path,
      );
      expect(called, `its requests: ${JSON.stringify(requests)}`).not.toEqual([]);
      expect(requests.filter(({ status }) => status >= 400)).toEqual([]);

      if (file === RESPONSE_BODY_SAMPLE) {
        const [last] = called.slice(-1);
        const response = operation.responses.find(({ status }) => status === String(last?.status));
        expect(response, `the spec documents no ${last?.status} for ${operation.operationId}`).toBeDefined();
        const schema = jsonPointer(response?.pointer ?? '#', 'content', 'application/json', 'schema');
        expect(validator.validate(schema, JSON.parse(run.stdout)).errors).toEqual([]);
      }

      if (arranged) {
        const held = await arranged.shown();
        expect(held.length, 'a value check returns what the output must show').toBeGreaterThan(0);
        const missing = held.filter((value) => !shows(run.stdout, value));
        expect(missing, `the server holds these, which the output must show; ${describeRun(run)}`).toEqual([]);
      }
    });
  });
}
