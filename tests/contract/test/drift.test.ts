// The suite must fail when the spec, the committed client and a server drift apart. Each case
// runs the suite's own scenarios against a target that has drifted in one way, and checks that
// the scenario fails for that reason. The undrifted control is the mock and server suites.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPrism } from '@usagebudget/mock/prism';
import { spec } from '@usagebudget/openapi';
import { type LoopbackServer, listenOnLoopback } from '@usagebudget/server/testing';
import type { OpenAPIV3 } from 'openapi-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientModels, schemaModelMismatches } from '../src/client-models.js';
import { documentedResponses, findResponse } from '../src/documented-responses.js';
import { runScenario, type Scenario } from '../src/scenario-context.js';
import { coverageGaps, scenariosFor } from '../src/scenarios.js';
import { startMockTarget, type Target } from '../src/targets.js';

type Schema = OpenAPIV3.SchemaObject;

function mutated(change: (document: OpenAPIV3.Document) => void): OpenAPIV3.Document {
  const copy = structuredClone(spec);
  change(copy);
  return copy;
}

const schemas = (document: OpenAPIV3.Document) => document.components?.schemas as Record<string, Schema>;
const examples = (document: OpenAPIV3.Document) =>
  Object.values(document.components?.examples ?? {}) as OpenAPIV3.ExampleObject[];

/** `amount` renamed to `budgetAmount` in the schema and in every example. */
const renamedAmount = mutated((document) => {
  const budget = schemas(document).SpendingBudget as Schema;
  const { amount, ...others } = budget.properties ?? {};
  budget.properties = { budgetAmount: amount as Schema, ...others };
  for (const example of examples(document)) {
    const { amount: value, ...rest } = example.value as Record<string, unknown>;
    example.value = { budgetAmount: value, ...rest };
  }
});

/** A new required `currency` that requests must carry; the responses' examples carry it too. */
const requiredCurrency = mutated((document) => {
  const budget = schemas(document).SpendingBudget as Schema;
  budget.properties = { ...budget.properties, currency: { type: 'string' } };
  budget.required = ['currency'];
  for (const example of examples(document)) example.value = { ...example.value, currency: 'EUR' };
});

function scenario(document: OpenAPIV3.Document, operationId: string, status: number, title: RegExp): Scenario {
  const found = scenariosFor(findResponse(documentedResponses(document), operationId, status)).scenarios.find(
    (candidate) => title.test(candidate.title),
  );
  if (!found) throw new Error(`no ${operationId} ${status} scenario titled ${title}`);
  return found;
}

const readsTheBudget = (document: OpenAPIV3.Document) => scenario(document, 'getUsageBudget', 200, /reads the budget/);
const setsWithPrefer = (document: OpenAPIV3.Document) =>
  scenario(document, 'updateUsageBudget', 200, /"budgetSet", chosen with Prefer/);

describe('a spec that drifted from the committed client', () => {
  let dir: string;
  const mocks = new Map<OpenAPIV3.Document, Target>();
  const mockOf = (document: OpenAPIV3.Document) => {
    const target = mocks.get(document);
    if (!target) throw new Error('the mock of this spec did not start');
    return target;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'contract-drift-'));
    const started = await Promise.allSettled(
      [renamedAmount, requiredCurrency].map(async (document, index) => {
        const file = join(dir, `drifted-${index}.json`);
        await writeFile(file, JSON.stringify(document));
        mocks.set(document, await startMockTarget(file));
      }),
    );
    // The mocks that did start are stopped by afterAll.
    for (const result of started) if (result.status === 'rejected') throw result.reason;
  });

  afterAll(async () => {
    await Promise.all([...mocks.values()].map((target) => target.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  it('fails a GET whose body has a property the client does not know (amount renamed)', async () => {
    await expect(runScenario(readsTheBudget(renamedAmount), mockOf(renamedAmount), renamedAmount)).rejects.toThrow(
      /fields the client's model does not declare[\s\S]*\/budgetAmount/,
    );
  });

  it('fails a PATCH whose body Prism rejects (amount renamed)', async () => {
    await expect(runScenario(setsWithPrefer(renamedAmount), mockOf(renamedAmount), renamedAmount)).rejects.toThrow(
      /Prism reports violations[\s\S]*sl-violations[\s\S]*request[\s\S]*amount/,
    );
  });

  it('fails a PATCH without a property the spec now requires (currency)', async () => {
    await expect(
      runScenario(setsWithPrefer(requiredCurrency), mockOf(requiredCurrency), requiredCurrency),
    ).rejects.toThrow(/Prism reports violations[\s\S]*sl-violations[\s\S]*request[\s\S]*currency/);
  });

  it('finds, without any target, the properties the spec and the client model disagree on', () => {
    const pointer = '#/components/schemas/SpendingBudget';
    expect(schemaModelMismatches(renamedAmount, pointer, clientModels.SpendingBudget as object)).toEqual([
      `${pointer}/budgetAmount: in the spec, not in the client`,
      `${pointer}/amount: in the client, not in the spec`,
    ]);
    expect(schemaModelMismatches(requiredCurrency, pointer, clientModels.SpendingBudget as object)).toEqual([
      `${pointer}/currency: in the spec, not in the client`,
    ]);
  });

  it('fails the coverage check for a status the spec documents without a scenario', () => {
    const withPreconditionFailed = mutated((document) => {
      const patch = Object.values(document.paths)[0]?.patch as OpenAPIV3.OperationObject;
      patch.responses['412'] = { $ref: '#/components/responses/BadRequest' };
    });
    expect(coverageGaps(documentedResponses(withPreconditionFailed))).toEqual([
      'PATCH 412 (updateUsageBudget): no scenario for a real target, and no reason why none can exist',
      'PATCH 412 (updateUsageBudget): no expected error class for status 412: add it to outcomes.ts',
    ]);
  });
});

describe('a server that returns a field the spec does not declare, behind prism proxy --errors', () => {
  let upstream: LoopbackServer;
  let proxy: Awaited<ReturnType<typeof startPrism>>;
  let extraField: Record<string, unknown> = {};
  let target: Target;

  beforeAll(async () => {
    const budget = findResponse(documentedResponses(spec), 'getUsageBudget', 200).examples.budgetSet;
    // Answers every call with the spec's example plus `extraField`, echoing the ids like a real server.
    const answering = createServer((request, response) => {
      response.writeHead(200, {
        'Content-Type': 'application/json',
        'MS-RequestId': request.headers['ms-requestid'] ?? randomUUID(),
        'MS-CorrelationId': request.headers['ms-correlationid'] ?? randomUUID(),
      });
      response.end(JSON.stringify({ ...(budget as object), ...extraField }));
    });
    upstream = await listenOnLoopback(answering);
    proxy = await startPrism({ mode: 'proxy', upstream: upstream.url });
    target = {
      name: 'drifted server',
      baseURL: proxy.url,
      token: 'contract-tests-token',
      capabilities: new Set(['echo']),
      customerId: () => randomUUID(),
      stop: async () => {},
    };
  });

  afterAll(async () => {
    await proxy?.stop();
    await upstream?.close();
  });

  it('passes while the server answers exactly the spec (the control)', async () => {
    extraField = {};
    await runScenario(readsTheBudget(spec), target, spec);
  });

  it('fails once the server adds a field', async () => {
    extraField = { currency: 'EUR' };
    await expect(runScenario(readsTheBudget(spec), target, spec)).rejects.toThrow(
      /Prism reports violations[\s\S]*additional properties; found 'currency'/,
    );
  });
});
