/**
 * Phone → portal over the whole voice path: a call on a simulated FreeSWITCH node (ESL simulator running the
 * shipped dialplan, the esl-bridge, the voice worker) logs in by keys, opens an appointment, asks for a person,
 * gets none, and asks for the portal link; the link (the SMS the Brevo simulator took) opens in Chromium on the same
 * journey: the same partner, the call's selected appointment, its detail screen. A second open says the link was
 * used.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import type { Browser } from 'playwright-core';
import { PORTAL_COOKIE } from '../../api/routes/web-session';
import { PORTAL_DIST } from '../../api/app';
import { VoiceSessionDriver } from '../../cli/simulate/drivers/voice';
import { loadMachine } from '../../lib/machine/loader';
import { createTranscriber, sttConfigFromEnv } from '../../lib/stt/transcriber';
import type { LocalStack } from '../../stack/local-stack';
import { startSimNode, type SimNode } from '../../stack/sim-node';
import { viewQuery, type SessionView } from '../../workflows/session-api';
import { chromiumMissing, launch, phonePage, screen } from './browser';
import { lastCode, lastLinkToken, startPortalStack } from './support';

jest.setTimeout(240_000);

const DEMO_CLIENT = '+33612345678';

let stack: LocalStack;
let native: NativeConnection;
let node: SimNode;
let browser: Browser;

beforeAll(async () => {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  if (!fs.existsSync(path.join(PORTAL_DIST, 'index.html'))) execFileSync('npm', ['run', '--silent', 'build:portal'], { stdio: 'inherit' });
  stack = await startPortalStack('handover-voice');
  native = await NativeConnection.connect({ address: stack.temporal.address });
  node = await startSimNode({
    client: stack.client,
    connection: native,
    machine: loadMachine(path.join(__dirname, '..', '..', 'machines', 'rdv-ivr.yaml')),
    sessionTaskQueue: stack.taskQueue,
    transcriber: createTranscriber(sttConfigFromEnv(stack.env)),
    timeScale: 0.05,
    // The care queue: nobody answers, so the machine offers the portal link.
    sim: { callcenter: () => ({ maxWaitMs: 300 }) },
  });
  browser = await launch();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  await native?.close();
  await stack?.stop();
});

/** Keys pressed on the phone, then the screen the call reaches once it listens again (or ends). */
async function press(call: VoiceSessionDriver, digits: string): Promise<SessionView> {
  await call.send({ eventId: crypto.randomUUID(), kind: 'dtmf', digits });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await call.view();
    if (v.listening || v.ended) return v;
    if (Date.now() > deadline) throw new Error(`the call did not wait again after ${digits} (in ${v.state})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('the link a call sends opens the portal on the call’s appointment, logged in as the same client, once', async () => {
  const call = new VoiceSessionDriver({ client: stack.client, sim: node.sim, bridge: node.bridge, destination: node.destination, caller: '0612345678', inputTimeoutMs: 30_000 });
  await call.start();
  try {
    expect((await press(call, '1')).state).toBe('ivr.auth.phone_capture');
    expect((await press(call, '0612345678#')).state).toBe('ivr.auth.verify_otp');
    expect((await press(call, `${lastCode(stack.brevoSim!, DEMO_CLIENT)}#`)).state).toBe('ivr.auth.consent');
    expect((await press(call, '1')).state).toBe('ivr.auth.preferred_channel');
    expect((await press(call, '2')).state).toBe('ivr.appointments.list.router');
    // "Premier": its detail (C3).
    const detail = await press(call, '1');
    expect(detail).toMatchObject({ state: 'ivr.appointment.detail.router', screen: 'C3' });
    const selected = detail.ctx['appt_selected_id'];
    const list = detail.ctx['appt_list'] as Array<{ id: number }>;
    expect(selected).toBe(list[0]!.id);
    const partner = detail.ctx['partner_id'];
    expect(typeof partner).toBe('number');
    // "Conseiller": nobody answers, the machine offers the link; the number by keys, the SMS goes.
    const offered = await press(call, '0');
    expect(offered.state).toBe('ivr.portal.send_link');
    const sent = await press(call, '0612345678#');
    expect(sent.ended).toMatchObject({ state: 'ivr.goodbye' });
    const token = lastLinkToken(stack.brevoSim!);

    const { context, page, problems } = await phonePage(browser);
    await page.goto(`${stack.apiUrl}/portal/link/${token}`);
    await screen(page, 'ivr.appointment.detail.router', 30_000);
    expect(new URL(page.url()).pathname).toBe('/portal');
    const cookie = (await context.cookies()).find((c) => c.name === PORTAL_COOKIE);
    const webId = `web-${cookie!.value.split('.')[0]}`;
    const web = await stack.client.workflow.getHandle(webId).query(viewQuery);
    expect(web).toMatchObject({ state: 'ivr.appointment.detail.router', screen: 'C3' });
    expect(web.ctx).toMatchObject({ partner_id: partner, appt_selected_id: selected, handover_from: `voice-${call.id}`, consent_ok: true });
    // The page says the call's appointment: the detail the API gives for it, not the list's first one.
    const portalDetail = (web.prompts.join(' ') || web.lastPrompt) ?? '';
    const callDetail = detail.prompts.join(' ');
    const firstLine = (s: string) => s.split('Vous pouvez dire')[0]!.trim();
    expect(firstLine(callDetail)).toMatch(/mars/);
    expect(firstLine(portalDetail)).toBe(firstLine(callDetail));
    expect(await page.locator('article[data-state]').textContent()).toContain(firstLine(callDetail).slice(0, 30));

    const again = await phonePage(browser);
    await again.page.goto(`${stack.apiUrl}/portal/link/${token}`);
    await again.page.waitForSelector('[data-link-problem="used"]');
    expect(await again.page.locator('h1').textContent()).toBe('Ce lien a déjà servi');
    expect([...problems, ...again.problems]).toEqual([]);
    await again.context.close();
    await context.close();
  } finally {
    await call.stop();
  }
});
