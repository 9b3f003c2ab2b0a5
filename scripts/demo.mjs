// The main job. Until the sample CLI and reference server exist, it shows what the build made.
import { specPaths } from '@usagebudget/openapi';

console.log('The usage budget spec is built:');
console.log(`  bundled spec  ${specPaths.json}`);
console.log(`                ${specPaths.yaml}`);
console.log(`  HTML docs     ${specPaths.docs}index.html  (open it in a browser; it works offline)`);
