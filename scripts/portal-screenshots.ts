/**
 * Screenshots of the portal's main screens, phone and desktop, for the README:
 *   npx tsx scripts/portal-screenshots.ts [--out docs/portal]
 *
 * Starts the in-process local stack (its own dev server, the worker, the API with the built portal, the Odoo and
 * Brevo simulators), logs in as the demo client with the code the simulated SMS carries, and captures the screens as
 * a person walks them in Debian's Chromium. Each capture waits for the screen it names; a missing one fails (exit 1).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { startLocalStack, type LocalStack } from '../stack/local-stack';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = path.join(__dirname, '..');

function lastCode(stack: LocalStack, e164: string): string {
  const digits = e164.replace(/\D/g, '');
  const msg = [...(stack.brevoSim?.outbox ?? [])].reverse().find((m) => m.channel === 'sms' && m.to.some((t) => t.replace(/\D/g, '') === digits));
  const code = /(\d{6})/.exec(msg?.content ?? '')?.[1];
  if (!code) throw new Error(`no code was sent to ${e164}`);
  return code;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { out: { type: 'string' } }, strict: true });
  const out = path.resolve(ROOT, values.out ?? 'docs/portal');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/install-system.sh as root`);
  fs.mkdirSync(out, { recursive: true });
  const env = { ...process.env };
  delete env.TEMPORAL_ADDRESS;
  const stack = await startLocalStack({ env, apiStoreDir: 'memory://', taskQueue: `portal-shots-${process.pid}` });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const shot = async (page: Page, state: string, name: string) => {
      await page.waitForSelector(`article[data-state="${state}"] button:not([disabled])`, { timeout: 20_000 });
      await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
      process.stderr.write(`portal-screenshots: ${name}.png\n`);
    };
    const walk = async (page: Page, prefix: string, all: boolean) => {
      await page.goto(`${stack.apiUrl}/portal`);
      if (all) await shot(page, 'ivr.entry', `${prefix}-c0-accueil`);
      await page.click('button[data-choice="take_appointment"]');
      await page.waitForSelector('article[data-state="ivr.auth.phone_capture"]');
      await page.fill('form.collect input', '06 12 34 56 78');
      await page.click('form.collect button[type="submit"]');
      await page.waitForSelector('article[data-state="ivr.auth.verify_otp"] input');
      if (all) await shot(page, 'ivr.auth.verify_otp', `${prefix}-c1-code`);
      await page.fill('form.collect input', lastCode(stack, '+33612345678'));
      await page.click('form.collect button[type="submit"]');
      await page.click('article[data-state="ivr.auth.consent"] button[data-choice="yes"]');
      await page.click('article[data-state="ivr.auth.preferred_channel"] button[data-choice="chan_sms"]');
      await shot(page, 'ivr.appointments.list.router', `${prefix}-c2-rendez-vous`);
      await page.click('button[data-choice="choose_first"]');
      await shot(page, 'ivr.appointment.detail.router', `${prefix}-c3-detail`);
      if (!all) return;
      await page.click('button[data-choice="reschedule"]');
      await page.click('article[data-state="ivr.reschedule.preferences"] button[data-choice="morning"]');
      await page.click('article[data-state="ivr.reschedule.mode"] button[data-choice="mode_video"]');
      await page.waitForSelector('article[data-state="ivr.reschedule.date_window"] input');
      await page.fill('form.collect input', 'dès que possible');
      await page.click('form.collect button[type="submit"]');
      await shot(page, 'ivr.slots.choose', `${prefix}-c4-creneaux`);
      await page.click('[data-slot] button[data-choice="choose_first"]');
      await shot(page, 'ivr.confirmation', `${prefix}-c7-confirmation`);
    };
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    await walk(phone, 'mobile', true);
    const desktop = await browser.newPage({ viewport: { width: 1280, height: 860 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    await walk(desktop, 'desktop', false);
    return 0;
  } finally {
    await browser.close();
    await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`portal-screenshots: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
