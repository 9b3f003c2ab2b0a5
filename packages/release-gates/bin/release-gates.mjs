#!/usr/bin/env node
// release-gates spec-breaking      the spec of this package against its last release
// release-gates api-report         rewrite this package's API reports from its built declarations
// release-gates api-report --check fail when they are stale or changed without a fitting changeset
// release-gates released [--check] write (or check) the released baselines of every gated package
import { realpathSync } from 'node:fs';
import { checkApiReports, writeApiReports } from '../src/api-report.mjs';
import { unreleased, writeReleased } from '../src/released.mjs';
import { checkSpec } from '../src/spec-gate.mjs';
import { loadWorkspace, packageAt } from '../src/workspace.mjs';

const USAGE = 'usage: release-gates spec-breaking | api-report [--check] | released [--check]';

const [command, ...flags] = process.argv.slice(2);
const check = flags.includes('--check');
const unknown = flags.filter((flag) => flag !== '--check');
if (unknown.length > 0 || (check && command === 'spec-breaking')) {
  console.error(`release-gates: unknown option ${unknown[0] ?? '--check'}\n${USAGE}`);
  process.exit(2);
}

/** @param {{ ok: boolean; lines: string[] }} result */
function finish({ ok, lines }) {
  (ok ? console.log : console.error)(lines.join('\n'));
  process.exitCode = ok ? 0 : 1;
}

try {
  const workspace = loadWorkspace(process.cwd());
  // pnpm runs a package's scripts in its folder; realpath matches the workspace's listing.
  const here = () => packageAt(workspace, realpathSync(process.cwd()));
  switch (command) {
    case 'spec-breaking': {
      const pkg = here();
      if (!pkg.gates.spec) throw new Error(`${pkg.name} has no releaseGates.spec in its package.json`);
      finish(await checkSpec({ packageDir: pkg.dir, config: pkg.gates.spec, changesetRoot: workspace.rootDir }));
      break;
    }
    case 'api-report':
      if (check) finish(await checkApiReports({ pkg: here(), changesetRoot: workspace.rootDir }));
      else finish({ ok: true, lines: writeApiReports(here()) });
      break;
    case 'released': {
      if (!check) {
        finish({ ok: true, lines: writeReleased(workspace) });
        break;
      }
      const differences = unreleased(workspace);
      finish({
        ok: differences.length === 0,
        lines:
          differences.length === 0
            ? ['released: every released baseline is current.']
            : [
                'released: these are not what was versioned for release:',
                ...differences.map((line) => `  - ${line}`),
                'Run `pnpm version-packages` (it versions the packages and writes the released baselines) and commit.',
              ],
      });
      break;
    }
    default:
      console.error(USAGE);
      process.exitCode = 2;
  }
} catch (error) {
  console.error(`release-gates ${command ?? ''}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
