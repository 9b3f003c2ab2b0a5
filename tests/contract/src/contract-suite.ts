import { spec } from '@usagebudget/openapi';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { documentedResponses } from './documented-responses.js';
import { runScenario } from './scenario-context.js';
import { scenariosFor } from './scenarios.js';
import {
  type Capability,
  capabilityMeaning,
  startTarget,
  type Target,
  type TargetName,
  targetCapabilities,
  targetSkipReason,
} from './targets.js';

const skipped = (title: string, reason: string) => `${title} [skipped: ${reason}]`;

/**
 * Registers every scenario of every documented response for one target. Scenarios the target
 * cannot run, and responses no client call can provoke there, are listed as skipped with the
 * reason, so each run shows what was and was not checked where.
 */
export function defineContractSuite(name: TargetName, env: NodeJS.ProcessEnv = process.env): void {
  const skipTarget = targetSkipReason(name, env);
  if (skipTarget) {
    it.skip(skipped(`${name} target`, skipTarget), () => {});
    return;
  }
  const capabilities = targetCapabilities(name, env);
  describe(name, () => {
    let target: Target | undefined;
    beforeAll(async () => {
      target = await startTarget(name, env);
    });
    afterAll(async () => {
      await target?.stop();
    });

    for (const documented of documentedResponses(spec)) {
      describe(`${documented.operationId}: ${documented.method} ${documented.status}`, () => {
        const { scenarios, unreachable } = scenariosFor(documented);
        for (const scenario of scenarios) {
          const lacking = scenario.needs.filter((need: Capability) => !capabilities.has(need));
          const reason = lacking.map((need) => `needs a target that ${capabilityMeaning[need]}`).join('; ');
          it.skipIf(lacking.length > 0)(reason ? skipped(scenario.title, reason) : scenario.title, async () => {
            if (!target) throw new Error(`the ${name} target did not start`);
            await runScenario(scenario, target, spec);
          });
        }
        // On the mock the Prefer scenarios cover these; elsewhere they stay unchecked, visibly.
        if (!capabilities.has('prefer')) {
          for (const reason of unreachable) {
            it.skip(skipped(`${documented.method} ${documented.status} on a real service`, reason), () => {});
          }
        }
      });
    }
  });
}
