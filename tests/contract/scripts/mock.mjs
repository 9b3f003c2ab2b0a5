// `pnpm mock`: Prism mocking the spec on 127.0.0.1:4010 (or --port), with request validation
// and security checks, until Ctrl+C or SIGTERM stops it by its pid.
import { parseArgs } from 'node:util';
import { spec, specPaths } from '@usagebudget/openapi';
import { specOperations } from '@usagebudget/openapi/operations';
import { startPrism } from '@usagebudget/testkit';

const { values } = parseArgs({ options: { port: { type: 'string', default: '4010' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`mock: --port must be a port number, got ${values.port}`);
  process.exit(2);
}

let prism;
try {
  prism = await startPrism({ mode: 'mock', port });
} catch (error) {
  console.error(`mock: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
// Prism's request log, for people watching: what it printed while starting, then the rest.
process.stdout.write(prism.output());
prism.child.stdout?.pipe(process.stdout);
prism.child.stderr?.pipe(process.stderr);
console.log(`mock: serving ${specPaths.yaml} at ${prism.url} (send Authorization: Bearer <anything>)`);
// The spec's own example request (its first operation, the path parameters' examples), so the hint
// stays true when the spec changes.
const [first] = specOperations(spec);
const example = (first?.path ?? '/').replace(/\{([^}]+)\}/g, (_, name) => {
  const parameter = first?.parameters.find(({ value }) => value.in === 'path' && value.name === name);
  return String(parameter?.value.example ?? name);
});
console.log(`mock: try curl -H 'Authorization: Bearer x' -H 'Prefer: code=404' ${prism.url}${example}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await prism.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
prism.exited.then((code) => {
  if (stopping) return;
  console.error(`mock: Prism exited with ${code}`);
  process.exit(1);
});
