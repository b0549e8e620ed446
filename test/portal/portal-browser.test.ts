/**
 * The portal in a real browser (Debian's Chromium through playwright-core) on the real stack: sessions on the
 * run's Temporal dev server, the worker, the API serving the built portal, the Odoo and Brevo simulators. A person
 * logs in with the simulated SMS code and walks the screens; every screen met is scanned by axe-core and must have
 * no serious or critical violation; no page may hit its Content-Security-Policy.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PORTAL_DIST } from '../../api/app';
import type { LocalStack } from '../../stack/local-stack';
import { answer, axeSerious, chromiumMissing, choose, launch, phonePage, screen } from './browser';
import { lastCode, lastLinkToken, PortalClient, startPortalStack } from './support';

jest.setTimeout(180_000);

/** Links live 10 s here, so the expired-link test waits for real (the API's clock is the system's). */
const LINK_TTL_SEC = 10;

let stack: LocalStack;
let browser: Browser;
const scanned = new Set<string>();

beforeAll(async () => {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  // `npm test` builds the portal first (scripts/bootstrap.js); a bare `npx jest` on a fresh clone builds it here.
  if (!fs.existsSync(path.join(PORTAL_DIST, 'index.html'))) execFileSync('npm', ['run', '--silent', 'build:portal'], { stdio: 'inherit' });
  stack = await startPortalStack('browser', { MAGIC_LINK_TTL_SEC: String(LINK_TTL_SEC) });
  browser = await launch();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** axe-core on the screen shown now: nothing serious or critical. */
async function scan(page: Page, name: string): Promise<void> {
  expect({ screen: name, violations: await axeSerious(page) }).toEqual({ screen: name, violations: [] });
  scanned.add(name);
}

async function open(width?: number) {
  const p = await phonePage(browser, width ? { width, height: 900 } : {});
  await p.page.goto(`${stack.apiUrl}/portal`);
  return p;
}

/** C0 → C1 (phone, SMS code, consent, channel) → C2, the way a person does it. */
async function login(page: Page, phoneTyped: string, e164: string, opts: { scan?: boolean } = {}): Promise<void> {
  await screen(page, 'ivr.entry');
  if (opts.scan) await scan(page, 'C0 entry');
  await choose(page, 'take_appointment');
  await screen(page, 'ivr.auth.phone_capture');
  if (opts.scan) await scan(page, 'C1 phone');
  await answer(page, phoneTyped);
  await screen(page, 'ivr.auth.verify_otp');
  if (opts.scan) await scan(page, 'C1 code');
  await answer(page, lastCode(stack.brevoSim!, e164));
  await screen(page, 'ivr.auth.consent');
  if (opts.scan) await scan(page, 'C1 consent');
  await choose(page, 'yes');
  await screen(page, 'ivr.auth.preferred_channel');
  await choose(page, 'chan_sms');
  await screen(page, 'ivr.appointments.list.router');
}

test('log in with the SMS code, list → detail → confirm (C0, C1, C2, C3, C7), then goodbye', async () => {
  const { context, page, problems } = await open();
  await login(page, '06 12 34 56 78', '+33612345678', { scan: true });
  expect(await page.locator('[data-screen="C2"] .card').count()).toBe(1);
  await scan(page, 'C2 list');
  expect(await page.locator('.prompt').textContent()).toMatch(/1 rendez-vous à venir/);
  await choose(page, 'choose_first');
  await screen(page, 'ivr.appointment.detail.router');
  expect(await page.getAttribute('article', 'data-screen')).toBe('C3');
  await scan(page, 'C3 detail');
  await choose(page, 'back');
  await screen(page, 'ivr.appointments.list.router');
  await choose(page, 'confirm');
  await screen(page, 'ivr.confirmation');
  expect(await page.locator('.prompt').textContent()).toMatch(/confirmé/i);
  await scan(page, 'C7 confirmation');
  // Reloading resumes the same screen.
  await page.reload();
  await screen(page, 'ivr.confirmation');
  await choose(page, 'no');
  await page.waitForSelector('.ended');
  await scan(page, 'ended');
  expect(problems).toEqual([]);
  await context.close();
});

test('reschedule with proposals (C5 → C4): preferences, a date, the first slot', async () => {
  const { context, page, problems } = await open(1280);
  await login(page, '06 98 76 54 32', '+33698765432');
  await choose(page, 'reschedule');
  await screen(page, 'ivr.reschedule.preferences');
  await scan(page, 'C5 preferences');
  await choose(page, 'morning');
  await screen(page, 'ivr.reschedule.mode');
  await choose(page, 'mode_clinic');
  await screen(page, 'ivr.reschedule.date_window');
  // An answer the session does not understand: said on the same screen, with its count.
  await answer(page, 'xyzzy');
  await page.waitForSelector('[data-state="ivr.reschedule.date_window"] .missed');
  expect(await page.locator('.missed').textContent()).toMatch(/tentative 1 sur \d/);
  await scan(page, 'missed answer');
  await answer(page, 'dès que possible');
  await screen(page, 'ivr.slots.choose');
  expect(await page.locator('[data-screen="C4"] [data-slot]').count()).toBe(3);
  await scan(page, 'C4 slots');
  await page.locator('[data-slot] button[data-choice="choose_first"]').click();
  await screen(page, 'ivr.confirmation');
  expect(await page.locator('.prompt').textContent()).toMatch(/replanifié/i);
  expect(problems).toEqual([]);
  await context.close();
});

test('cancel with a reason and a comment (C6)', async () => {
  const { context, page, problems } = await open();
  await login(page, '+261 32 12 345 67', '+261321234567');
  await choose(page, 'cancel');
  await screen(page, 'ivr.cancel.reason');
  await scan(page, 'C6 reason');
  await choose(page, 'reason_health');
  await screen(page, 'ivr.cancel.comment');
  await scan(page, 'C6 comment');
  await answer(page, 'Je suis hospitalisée cette semaine');
  await screen(page, 'ivr.cancel.after');
  expect(await page.locator('.prompt').textContent()).toMatch(/annulé/i);
  await choose(page, 'no');
  await page.waitForSelector('.ended');
  const declined = await stack.odoo.callKw<number>('calendar.attendee', 'search_count', [[['event_id', '=', 31], ['partner_id', '=', 7], ['state', '=', 'declined']]]);
  expect(declined).toBe(1);
  expect(problems).toEqual([]);
  await context.close();
});

test('phone → portal: the link the call sends opens the portal logged in, once (then confirm and share with a relative); a second open shows a friendly page', async () => {
  // The call: C0 "recevoir un lien", the number; the machine sends the link naming its session.
  const call = new PortalClient(stack.apiUrl);
  await call.start();
  await call.choose('send_link');
  const sent = await call.type('06 12 34 56 78');
  expect(sent.body.view.state).toBe('ivr.goodbye');
  const token = lastLinkToken(stack.brevoSim!);

  const { context, page, problems } = await open();
  await page.goto(`${stack.apiUrl}/portal/link/${token}`);
  await screen(page, 'ivr.auth.consent');
  // The token left the address bar and the history.
  expect(new URL(page.url()).pathname).toBe('/portal');
  await choose(page, 'yes');
  await screen(page, 'ivr.auth.preferred_channel');
  await choose(page, 'chan_email');
  await screen(page, 'ivr.appointments.list.router');

  // Confirm, then share with a relative: the shared link opens a read-only page without any login.
  await choose(page, 'confirm');
  await screen(page, 'ivr.confirmation');
  await choose(page, 'text:partager');
  await page.waitForSelector('.ended');
  const shareMail = [...stack.brevoSim!.outbox].reverse().find((m) => /\/portal\/shared\//.test(`${m.text ?? ''}${m.content ?? ''}${m.html ?? ''}`));
  const shareToken = /\/portal\/shared\/([A-Za-z0-9_-]+)/.exec(`${shareMail?.text ?? ''}${shareMail?.content ?? ''}${shareMail?.html ?? ''}`)?.[1];
  expect(shareToken).toBeDefined();
  const relative = await phonePage(browser);
  await relative.page.goto(`${stack.apiUrl}/portal/shared/${shareToken}`);
  await relative.page.waitForSelector('[data-shared="ok"]');
  expect(await relative.page.locator('.card-title').textContent()).toMatch(/mars/);
  expect(await relative.page.locator('button').count()).toBe(0);
  await scan(relative.page, 'shared appointment');
  expect(relative.problems).toEqual([]);
  await relative.context.close();

  const again = await phonePage(browser);
  await again.page.goto(`${stack.apiUrl}/portal/link/${token}`);
  await again.page.waitForSelector('[data-link-problem="used"]');
  expect(await again.page.locator('h1').textContent()).toBe('Ce lien a déjà servi');
  await scan(again.page, 'link used');
  await again.page.locator('button', { hasText: 'Se connecter' }).click();
  await screen(again.page, 'ivr.entry');
  expect([...problems, ...again.problems]).toEqual([]);
  await again.context.close();
  await context.close();
});

test('an expired link shows its own page and a way to log in', async () => {
  await fetch(`${stack.apiUrl}/portal/send-otp-link`, {
    method: 'PUT', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone_e164: '+33612345678' }),
  });
  const token = lastLinkToken(stack.brevoSim!);
  await new Promise((r) => setTimeout(r, (LINK_TTL_SEC + 1) * 1000));
  const { context, page, problems } = await open();
  await page.goto(`${stack.apiUrl}/portal/link/${token}`);
  await page.waitForSelector('[data-link-problem="expired"]');
  expect(await page.locator('h1').textContent()).toBe('Ce lien a expiré');
  await scan(page, 'link expired');
  expect(problems).toEqual([]);
  await context.close();
});

test('keyboard only: Tab and Enter from the first screen to an appointment’s detail', async () => {
  const { context, page, problems } = await open();
  /** Tabs until the focused element matches, then presses Enter (a person finding the control). */
  const tabTo = async (selector: string) => {
    for (let i = 0; i < 30; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate((s) => (globalThis as any).document.activeElement?.matches(s) ?? false, selector)) return;
    }
    throw new Error(`Tab never reached ${selector}`);
  };
  const typeAndEnter = async (text: string) => {
    await tabTo('form.collect input');
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
  };
  await screen(page, 'ivr.entry');
  // Each new screen puts the focus on its heading.
  expect(await page.evaluate(() => (globalThis as any).document.activeElement?.tagName)).toBe('H1');
  await tabTo('button[data-choice="take_appointment"]');
  await page.keyboard.press('Enter');
  await screen(page, 'ivr.auth.phone_capture');
  await typeAndEnter('0612345678');
  await screen(page, 'ivr.auth.verify_otp');
  await typeAndEnter(lastCode(stack.brevoSim!, '+33612345678'));
  await screen(page, 'ivr.auth.consent');
  await tabTo('button[data-choice="yes"]');
  await page.keyboard.press('Enter');
  await screen(page, 'ivr.auth.preferred_channel');
  await tabTo('button[data-choice="chan_sms"]');
  await page.keyboard.press('Enter');
  await screen(page, 'ivr.appointments.list.router');
  await tabTo('button[data-choice="choose_first"]');
  await page.keyboard.press('Enter');
  await screen(page, 'ivr.appointment.detail.router');
  expect(problems).toEqual([]);
  await context.close();
});

test('the checks can fail: an unlabelled field is a violation, an inline script is refused by the CSP', async () => {
  const { context, page, problems } = await open();
  await screen(page, 'ivr.entry');
  await page.evaluate(() => {
    const doc = (globalThis as any).document;
    doc.querySelector('main').append(doc.createElement('input'));
    const s = doc.createElement('script');
    s.textContent = 'window.injected = true';
    doc.body.append(s);
  });
  expect((await axeSerious(page)).map((v) => v.id)).toContain('label');
  expect(await page.evaluate(() => (globalThis as unknown as { injected?: boolean }).injected)).toBeUndefined();
  for (let i = 0; i < 50 && problems.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  expect(problems.join('\n')).toMatch(/csp:/);
  await context.close();
});

test('every screen met was scanned by axe-core (C0 to C7, the end, the link pages)', () => {
  expect([...scanned].sort()).toEqual(
    ['C0 entry', 'C1 code', 'C1 consent', 'C1 phone', 'C2 list', 'C3 detail', 'C4 slots', 'C5 preferences', 'C6 comment', 'C6 reason', 'C7 confirmation', 'ended', 'link expired', 'link used', 'missed answer', 'shared appointment'].sort(),
  );
});
