/**
 * Driving the portal in Debian's Chromium (playwright-core): a page per person, helpers that wait for the screen
 * the session shows (by its state), and the axe-core scan of a screen.
 */
import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumMissing(): string | null {
  return fs.existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing: run scripts/install-system.sh as root (apt-get install -y chromium)`;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** A phone-sized page that records CSP violations and page errors (each test expects none). */
export async function phonePage(browser: Browser, opts: { width?: number; height?: number } = {}): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 390, height: opts.height ?? 844 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  return { context, page, problems };
}

/** Waits until the portal shows the screen of `state` (generous bound: the machine runs backend calls). */
export async function screen(page: Page, state: string | RegExp, timeout = 20_000): Promise<void> {
  if (typeof state === 'string') {
    await page.waitForSelector(`article[data-state="${state}"]`, { timeout });
    return;
  }
  await page.waitForFunction(
    (src) => {
      const el = (globalThis as any).document.querySelector('article[data-state]');
      return !!el && new RegExp(src).test(el.getAttribute('data-state') ?? '');
    },
    state.source,
    { timeout },
  );
}

export async function choose(page: Page, choice: string): Promise<void> {
  await page.locator(`button[data-choice="${choice}"]:not([disabled])`).first().click();
}

/** Fills the collect field and submits it. */
export async function answer(page: Page, text: string): Promise<void> {
  const field = page.locator('form.collect input, form.collect textarea').first();
  await field.fill(text);
  await page.locator('form.collect button[type="submit"]').click();
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

const AXE_SOURCE = (): string => fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core on the current page, WCAG 2.x A/AA rules: the serious and critical violations. Axe is evaluated through
 * the debugging protocol, so the page's own CSP (no inline script) stays as it is for the portal.
 */
export async function axeSerious(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (globalThis as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(AXE_SOURCE());
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: unknown[] }[] }> } }).axe;
    const r = await axe.run((globalThis as any).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
