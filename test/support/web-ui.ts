import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const ARTIFACTS_DIR = resolve('test-artifacts', 'web-ui');

function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path))
    throw new Error(
      `Chromium is not installed at ${path}; run \`bash infra/ensure-chromium.sh\` (npm test does), ` +
        `or set CHROMIUM_PATH.`,
    );
  return path;
}

/** The Temporal Web UI driven by headless Debian chromium, as an operator would click through it. */
export class TemporalWebUi {
  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
    private readonly baseUrl: string,
    private readonly namespace: string,
  ) {}

  static async open(baseUrl: string, namespace: string): Promise<TemporalWebUi> {
    const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.setDefaultTimeout(20_000);
    return new TemporalWebUi(browser, page, baseUrl.replace(/\/$/, ''), namespace);
  }

  /** Types a visibility query into the workflow list's query box, as an operator filtering by customer does. */
  async filterWorkflows(query: string): Promise<void> {
    await this.page.goto(`${this.baseUrl}/namespaces/${encodeURIComponent(this.namespace)}/workflows`);
    await this.page.getByTestId('toggle-manual-query').click();
    const box = this.page.getByTestId('manual-search-input');
    await box.fill(query);
    await box.press('Enter');
    await this.page.waitForURL((url) => url.searchParams.get('query') === query);
  }

  /** Links to workflow runs in the list, by workflow id (the list may still be loading). */
  runLink(workflowId: string, runId: string) {
    return this.page.locator(`a[href$="/workflows/${encodeURIComponent(workflowId)}/${runId}/history"]`).first();
  }

  async listedWorkflowIds(): Promise<string[]> {
    const links = await this.page.locator('a[href*="/workflows/"][href$="/history"]').all();
    const hrefs = await Promise.all(links.map(async (link) => (await link.getAttribute('href')) ?? ''));
    return [...new Set(hrefs.map((href) => decodeURIComponent(href.split('/workflows/')[1]!.split('/')[0]!)))];
  }

  /** The UI renders summaries and details as markdown, each in a frame of its own, in page order. */
  markdown(index: number) {
    return this.page.frameLocator('iframe').nth(index);
  }

  /** A row of "Events with Metadata" (User Metadata tab): kind, summary and status, by its summary. */
  eventWithMetadata(summary: string) {
    return this.page.locator(`xpath=//span[normalize-space()=${JSON.stringify(summary)}]/../..`).first();
  }

  async openTab(name: string): Promise<void> {
    await this.page.getByRole('tab', { name }).click();
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const path = join(ARTIFACTS_DIR, `${name}.png`);
    await this.page.screenshot({ path, fullPage: true });
    return path;
  }

  async close(): Promise<void> {
    await this.browser.close();
  }
}
