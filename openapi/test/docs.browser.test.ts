// Opens the built docs from disk in headless Chromium with every network request refused,
// and checks that the reference renders every operation, the models and the 429, the code samples
// of every operation, and the changelog.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spec } from '@usagebudget/openapi';
import { specOperations } from '@usagebudget/openapi/operations';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCodeSamples } from '../scripts/code-samples.mjs';

const packageDir = join(import.meta.dirname, '..');
const page = join(packageDir, 'dist', 'docs', 'index.html');
const screenshot = join(packageDir, 'dist', 'docs-screenshot.png');
const samplesScreenshot = join(packageDir, 'dist', 'docs-samples.png');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RENDER_TIMEOUT_MS = 150_000;

/**
 * A browser tab with the network cut off: files from disk (and data: and blob: URLs) load, any
 * other request is refused and listed in `refused`, which each test expects to stay empty.
 */
async function openOffline(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  // Redoc renders the reference in about 5 s on an idle machine; under the whole test suite on two
  // busy cores a render took over 30 s (Playwright's default), so every wait here may take as long
  // as the test's own limit allows. A limit, not a speed check.
  context.setDefaultTimeout(RENDER_TIMEOUT_MS);
  const refused: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file://') || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    refused.push(url);
    return route.abort('internetdisconnected');
  });
  return { context, tab: await context.newPage(), refused };
}

describe('the HTML reference docs', () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(executablePath)) {
      throw new Error(
        `Chromium not found at ${executablePath}: run scripts/bootstrap.sh (apt-get install -y chromium)`,
      );
    }
    if (!existsSync(page)) throw new Error(`${page} is missing: run pnpm --filter @usagebudget/openapi build`);
    browser = await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('renders offline: every operation, the models, the deprecation and the 429 response', async () => {
    const { context, tab, refused } = await openOffline(browser);
    const consoleErrors: string[] = [];
    tab.on('pageerror', (error) => consoleErrors.push(error.message));
    tab.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });

    await tab.goto(pathToFileURL(page).href);
    const content = tab.locator('.api-content');
    await content.getByRole('heading', { name: "Get a customer's usage spending budget" }).waitFor();
    for (const summary of [
      "Set or clear a customer's usage spending budget",
      "List the partner's customers, a page at a time",
      'List the usage records of all customers',
      "Get a customer's usage summary for the current billing period",
      "Get the partner's usage summary (planned for deprecation)",
    ]) {
      await content.getByRole('heading', { name: summary }).waitFor();
    }
    // The Models section renders the schema by name, with its properties under it.
    const model = content.locator('h2', { hasText: /^SpendingBudget$/ });
    await model.scrollIntoViewIfNeeded();
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a reader sees, which is the point.
    const text = await content.innerText();
    const modelText = text.slice(text.indexOf('\nSpendingBudget\n'), text.indexOf('\nApiFault\n'));
    for (const property of ['amount', 'usageSpendingBudget', 'attributes', 'links', 'number or null']) {
      expect(modelText).toContain(property);
    }
    const usageText = text.slice(
      text.indexOf('\nCustomerUsageSummary\n'),
      text.indexOf('\nCustomerMonthlyUsageRecord\n'),
    );
    for (const property of [
      'totalCost',
      'usdTotalCost',
      'billingStartDate',
      'currencyCode',
      'Decimal (string) or number',
    ]) {
      expect(usageText).toContain(property);
    }
    // Redoc marks a deprecated operation with a "Deprecated" badge in its header.
    const deprecated = content.locator('h2', { hasText: "Get the partner's usage summary (planned for deprecation)" });
    await expect(deprecated.locator('..').textContent()).resolves.toContain('Deprecated');

    const throttled = content.getByRole('button', { name: /^429 The partner sent too many requests/ }).first();
    await throttled.scrollIntoViewIfNeeded();
    await expect(throttled.isVisible()).resolves.toBe(true);
    await tab.screenshot({ path: screenshot });

    expect(refused).toEqual([]);
    expect(consoleErrors).toEqual([]);
    await context.close();
  });

  it('shows the TypeScript SDK, CLI and curl samples of every operation, as their files have them', async () => {
    const { context, tab, refused } = await openOffline(browser);
    await tab.goto(pathToFileURL(page).href);
    const operations = specOperations(spec);
    const samples = readCodeSamples(operations.map(({ operationId }) => operationId));
    for (const { operationId } of operations) {
      const section = tab.locator(`[data-section-id="operation/${operationId}"]`);
      await section.waitFor();
      const expected = samples.get(operationId) ?? [];
      expect(expected.map(({ label }) => label)).toEqual(['TypeScript SDK', 'CLI', 'curl']);
      for (const { label, source } of expected) {
        const sampleTab = section.getByRole('tab', { name: label, exact: true });
        await sampleTab.scrollIntoViewIfNeeded();
        await sampleTab.click();
        const panel = section.locator(`[id="${await sampleTab.getAttribute('aria-controls')}"]`);
        const code = panel.locator('pre');
        await expect(code.isVisible(), `${operationId}: ${label}`).resolves.toBe(true);
        // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a reader sees.
        expect((await code.innerText()).trim(), `${operationId}: ${label}`).toBe(source);
      }
    }
    // The first operation with its TypeScript sample selected, for people to look at.
    const [first] = operations;
    const firstSection = tab.locator(`[data-section-id="operation/${first?.operationId}"]`);
    await firstSection.getByRole('tab', { name: 'TypeScript SDK', exact: true }).click();
    await firstSection.getByRole('heading', { name: first?.operation.summary ?? '' }).scrollIntoViewIfNeeded();
    await tab.screenshot({ path: samplesScreenshot });
    expect(refused).toEqual([]);
    await context.close();
  });

  it("links the spec's changelog from the introduction to its own section", async () => {
    const { context, tab, refused } = await openOffline(browser);
    await tab.goto(pathToFileURL(page).href);
    const content = tab.locator('.api-content');
    await content.getByRole('link', { name: 'Changelog', exact: true }).click();
    const heading = content.locator('h2', { hasText: /^Changelog$/ });
    await heading.waitFor();
    await expect(heading.isVisible()).resolves.toBe(true);
    // The link scrolls the section into view. (The URL's hash is not the check: the section is the
    // last and short, so Redoc's scroll spy may name the section above it once scrolling stops.)
    const box = await heading.boundingBox();
    expect(box?.y).toBeGreaterThanOrEqual(0);
    expect(box?.y).toBeLessThan(1000);
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a reader sees.
    const text = await content.locator('[id="tag/Changelog"]').innerText();
    expect(text).toContain('What changed in each published version of this specification');
    expect(refused).toEqual([]);
    await context.close();
  });
});
