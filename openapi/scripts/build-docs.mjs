// Builds self-contained HTML reference docs: Redoc's standalone script is copied from
// node_modules next to the page and the spec is inlined, so the page works from disk with no
// network (no CDN, no fetch of the spec).
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { specOperations } from '@usagebudget/openapi/operations';
import { VENDOR_COMBINATORS } from '@usagebudget/openapi/pointer';
import { withChangelog } from './changelog.mjs';
import { readCodeSamples, withCodeSamples } from './code-samples.mjs';
import { bundledJson, changelogMd, docsDir, docsHtml, packageDir } from './paths.mjs';

/**
 * `node` with every `x-anyOf` and `x-oneOf` spelled `anyOf` and `oneOf`. The spec keeps a union of
 * primitive types out of code generators' sight (its "Generated clients" correction); Redoc shows
 * an `anyOf` as what it is ("Decimal (string) or number"), where an untyped schema shows no type.
 */
function withUnionsShown(node) {
  if (Array.isArray(node)) return node.map(withUnionsShown);
  if (node === null || typeof node !== 'object') return node;
  const copy = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, withUnionsShown(value)]));
  for (const [vendor, combinator] of Object.entries(VENDOR_COMBINATORS)) {
    if (!Array.isArray(copy[vendor]) || copy[combinator] !== undefined) continue;
    copy[combinator] = copy[vendor];
    delete copy[vendor];
  }
  return copy;
}

if (process.argv.includes('--print-path')) {
  console.log(docsHtml);
  process.exit(0);
}

const require = createRequire(import.meta.url);
const redocDir = dirname(require.resolve('redoc/package.json'));
const { name: packageName } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
const changelog = existsSync(changelogMd) ? readFileSync(changelogMd, 'utf8') : undefined;
const bundle = JSON.parse(readFileSync(bundledJson, 'utf8'));
// The docs' copy of the spec: the bundle plus each operation's code samples and the changelog.
const operations = specOperations(bundle);
let samples;
try {
  samples = readCodeSamples(operations.map(({ operationId }) => operationId));
} catch (error) {
  // The message names each operation and file; a stack trace would bury it.
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
const spec = withUnionsShown(withChangelog(withCodeSamples(bundle, operations, samples), changelog, packageName));

mkdirSync(docsDir, { recursive: true });
// Redoc's footer loads its logo from a CDN; point it at a local copy so the page makes no
// outside request. Fail loudly if a Redoc upgrade moves it, rather than ship a page that calls out.
const CDN_LOGO = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
const redocScript = readFileSync(join(redocDir, 'bundles', 'redoc.standalone.js'), 'utf8');
if (!redocScript.includes(CDN_LOGO))
  throw new Error(`redoc.standalone.js no longer references ${CDN_LOGO}: recheck it for CDN assets`);
writeFileSync(join(docsDir, 'redoc.standalone.js'), redocScript.replaceAll(CDN_LOGO, 'redoc-logo.svg'));
writeFileSync(
  join(docsDir, 'redoc-logo.svg'),
  '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#32329f"/></svg>\n',
);
copyFileSync(bundledJson, join(docsDir, 'usagebudget.json'));

// "</" inside the inlined JSON would end the <script> element early.
const inlineSpec = JSON.stringify(spec).replace(/<\//g, '<\\/');
const escapeHtml = (text) =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

writeFileSync(
  docsHtml,
  `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta http-equiv="Content-Security-Policy" content="default-src 'self' 'unsafe-inline' data: blob:; connect-src 'self'">
  <title>${escapeHtml(spec.info.title)} ${escapeHtml(spec.info.version)}</title>
  <style>body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }</style>
</head>
<body>
  <noscript>This reference needs JavaScript. The raw specification is in usagebudget.json beside this page.</noscript>
  <div id="redoc"></div>
  <script src="redoc.standalone.js"></script>
  <script>
    Redoc.init(${inlineSpec}, {
      hideDownloadButton: false,
      downloadFileName: 'usagebudget.json',
      expandResponses: '200,429',
      jsonSampleExpandLevel: 3,
      sortTagsAlphabetically: false,
      theme: {
        typography: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', headings: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' } },
        // Half the page rather than 40%: the code samples' lines fit without scrolling sideways.
        rightPanel: { width: '50%' }
      }
    }, document.getElementById('redoc'));
  </script>
</body>
</html>
`,
);
console.log(`docs: ${docsHtml}`);
