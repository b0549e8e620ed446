/**
 * The portal's web-session routes on the real stack: a session starts with its first screen, inputs apply once per
 * event id (two tabs, retries), a code typed in an OTP field reaches the session sealed, a guessed or forged
 * credential opens nothing, the magic link is spent once and continues the call's login.
 */
import { issueCredential } from '../../api/routes/web-session';
import type { LocalStack } from '../../stack/local-stack';
import { viewQuery } from '../../workflows/session-api';
import { lastCode, lastLinkToken, PortalClient, startPortalStack } from './support';

jest.setTimeout(120_000);

let stack: LocalStack;

beforeAll(async () => {
  stack = await startPortalStack('api', { RATE_PORTAL_START_PER_IP: '3' });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const choiceId = (view: { choices: { id: string; label: string }[] }, id: string) => {
  const c = view.choices.find((x) => x.id === id);
  if (!c) throw new Error(`no choice ${id} in ${JSON.stringify(view.choices)}`);
  return c.id;
};

test('a new session answers with its first screen (C0) and sets an HttpOnly SameSite=Strict cookie', async () => {
  const browser = new PortalClient(stack.apiUrl);
  const r = await browser.start();
  expect(r.status).toBe(200);
  expect(r.body.view).toMatchObject({ state: 'ivr.entry', screen: 'C0', ended: null });
  expect(r.body.view.prompts.join(' ')).toMatch(/bienvenue/i);
  expect(r.body.view.choices.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining(['take_appointment', 'send_link']));
  const cookie = r.headers.getSetCookie()[0]!;
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Strict/);
  expect(cookie).toMatch(/Path=\/portal/);
  // Reloading resumes the same screen.
  const again = await browser.start();
  expect(again.body).toMatchObject({ resumed: true, view: { state: 'ivr.entry' } });
});

test('login by phone and SMS code: the code reaches the session sealed, never in clear', async () => {
  const browser = new PortalClient(stack.apiUrl);
  let v = (await browser.start()).body.view;
  v = (await browser.choose(choiceId(v, 'take_appointment'))).body.view;
  expect(v).toMatchObject({ state: 'ivr.auth.phone_capture', screen: 'C1', collect: { mode: 'phone' } });
  v = (await browser.type('06 12 34 56 78')).body.view;
  expect(v).toMatchObject({ state: 'ivr.auth.verify_otp', collect: { mode: 'otp', length: 6 } });
  const code = lastCode(stack.brevoSim!, '+33612345678');
  v = (await browser.type(code)).body.view;
  expect(v).toMatchObject({ state: 'ivr.auth.consent', screen: 'C1' });
  const wid = (await browser.view()).body.view ? `web-${browser.cookie.split('=')[1]!.split('.')[0]}` : '';
  const history = JSON.stringify(await stack.client.workflow.getHandle(wid).fetchHistory());
  expect(history).not.toContain(code);
});

test('an input is applied once per event id: a retry and a second tab see the same screen', async () => {
  const tab1 = new PortalClient(stack.apiUrl);
  const v0 = (await tab1.start()).body.view;
  const tab2 = new PortalClient(stack.apiUrl);
  tab2.cookie = tab1.cookie;
  const eventId = crypto.randomUUID();
  const [a, b] = await Promise.all([tab1.choose(choiceId(v0, 'take_appointment'), eventId), tab2.choose(choiceId(v0, 'take_appointment'), eventId)]);
  expect(a.status).toBe(200);
  expect(b.status).toBe(200);
  const after = (await tab1.view()).body.view;
  expect(after.state).toBe('ivr.auth.phone_capture');
  expect(after.turn).toBe(1);
  // A click on a screen another tab already left is refused with the current view, not applied.
  const stale = await tab2.choose('send_link');
  expect(stale.status).toBe(409);
  expect(stale.body.error).toMatchObject({ code: 'stale_view', view: { state: 'ivr.auth.phone_capture' } });
});

test('no cookie, a forged one, or another session id with a copied MAC: 401, nothing opened', async () => {
  const owner = new PortalClient(stack.apiUrl);
  await owner.start();
  const [id, exp, mac] = owner.cookie.split('=')[1]!.split('.');
  const stranger = new PortalClient(stack.apiUrl);
  expect((await stranger.view()).status).toBe(401);
  stranger.cookie = `care_portal=${id}`;
  expect((await stranger.view()).status).toBe(401);
  stranger.cookie = `care_portal=${id}.${exp}.${'A'.repeat(mac!.length)}`;
  expect((await stranger.view()).status).toBe(401);
  stranger.cookie = `care_portal=${crypto.randomUUID()}.${exp}.${mac}`;
  expect((await stranger.send('POST', '/portal/api/input', { eventId: 'abcdefgh12', choice: 'send_link' })).status).toBe(401);
  // An expired credential made with the right key is refused too.
  const key = require('node:crypto').createHash('sha256').update('portal-credential:v1:dev-only-session-key-change-me').digest();
  stranger.cookie = `care_portal=${issueCredential(key, id!, 1000)}`;
  expect((await stranger.view()).status).toBe(401);
});

test('bodies are checked: unknown fields, both choice and text, a form post, a foreign origin', async () => {
  const browser = new PortalClient(stack.apiUrl);
  await browser.start();
  const both = await browser.send('POST', '/portal/api/input', { eventId: 'abcdefgh12', choice: 'x', text: 'y' });
  expect(both.status).toBe(400);
  expect(both.body.error.message).toMatch(/exactly one of choice/);
  expect((await browser.send('POST', '/portal/api/input', { eventId: 'abcdefgh12', choice: 'x', extra: 1 })).status).toBe(400);
  expect((await browser.send('POST', '/portal/api/input', { eventId: 'x', text: 'y' })).status).toBe(400);
  const form = await browser.send('POST', '/portal/api/input', 'eventId=abcdefgh12&text=y', { 'content-type': 'application/x-www-form-urlencoded' });
  expect(form.status).toBe(415);
  const foreign = await browser.send('POST', '/portal/api/input', { eventId: 'abcdefgh12', text: 'y' }, { origin: 'https://evil.example' });
  expect(foreign.status).toBe(403);
});

test('magic link: continues the call logged in (consent next), once; a second use is refused', async () => {
  // The call asks for a link (what ivr.portal.send_link does), naming its own session.
  const sent = await fetch(`${stack.apiUrl}/portal/send-otp-link`, {
    method: 'PUT', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ phone_e164: '+33612345678', call_id: 'call-x', session_id: 'voice-call-x' }),
  });
  expect(sent.status).toBe(200);
  const token = lastLinkToken(stack.brevoSim!);
  const page = await fetch(`${stack.apiUrl}/portal/link/${token}`);
  expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  const browser = new PortalClient(stack.apiUrl);
  const r = await browser.send('POST', '/portal/api/link', { token });
  expect(r.status).toBe(200);
  expect(r.body.view).toMatchObject({ state: 'ivr.auth.consent', screen: 'C1' });
  const wid = `web-${browser.cookie.split('=')[1]!.split('.')[0]}`;
  const view = await stack.client.workflow.getHandle(wid).query(viewQuery);
  expect(view.ctx.portal_session_token).toBe('•••');
  // Consent, channel, then the list: the sealed token opens the backend for this session.
  let v = (await browser.choose('yes')).body.view;
  expect(v.state).toBe('ivr.auth.preferred_channel');
  v = (await browser.choose('chan_sms')).body.view;
  expect(v).toMatchObject({ screen: 'C2' });
  expect(v.appointments.length).toBeGreaterThan(0);
  const again = await new PortalClient(stack.apiUrl).send('POST', '/portal/api/link', { token });
  expect(again.status).toBe(410);
  expect(again.body.error.reason).toBe('used');
});

test('a click on a session that ended meanwhile (logged out in another tab) answers its ended view, not an error page', async () => {
  const tab1 = new PortalClient(stack.apiUrl);
  await tab1.start();
  const tab2 = new PortalClient(stack.apiUrl);
  tab2.cookie = tab1.cookie;
  expect((await tab1.send('POST', '/portal/api/logout', {})).status).toBe(200);
  expect(tab1.cookie).toBe('');
  const r = await tab2.choose('take_appointment');
  expect([200, 409]).toContain(r.status);
  const view = r.status === 200 ? r.body.view : r.body.error.view;
  expect(view.ended).toMatchObject({ outcome: 'hangup' });
  const later = await tab2.choose('take_appointment');
  expect(later.status).toBe(409);
  expect(later.body.error.code).toBe('session_ended');
});

test('an answer not understood says so with its count and the limit; a good one clears it', async () => {
  const browser = new PortalClient(stack.apiUrl);
  await browser.start();
  await browser.choose('take_appointment');
  const miss = (await browser.type('bonjour')).body.view;
  expect(miss.state).toBe('ivr.auth.phone_capture');
  expect(miss.missed).toEqual({ count: 1, max: 2 });
  const ok = (await browser.type('06 98 76 54 32')).body.view;
  expect(ok.state).toBe('ivr.auth.verify_otp');
  expect(ok.missed).toBeNull();
});

test('hand-over continues where the call was: consent already given and an appointment selected → its detail', async () => {
  // "The call": logged in, consent, channel, the first appointment's detail, then a human (none on this channel:
  // the machine offers a link), the number.
  const call = new PortalClient(stack.apiUrl);
  await call.start();
  await call.choose('take_appointment');
  await call.type('06 12 34 56 78');
  await call.type(lastCode(stack.brevoSim!, '+33612345678'));
  await call.choose('yes');
  await call.choose('chan_sms');
  const detail = (await call.choose('choose_first')).body.view;
  expect(detail.state).toBe('ivr.appointment.detail.router');
  const offered = (await call.choose('operator')).body.view;
  expect(offered.state).toBe('ivr.portal.send_link');
  expect((await call.type('06 12 34 56 78')).body.view.ended).toMatchObject({ state: 'ivr.goodbye' });

  const browser = new PortalClient(stack.apiUrl);
  const r = await browser.send('POST', '/portal/api/link', { token: lastLinkToken(stack.brevoSim!) });
  expect(r.status).toBe(200);
  expect(r.body.view).toMatchObject({ state: 'ivr.appointment.detail.router', screen: 'C3', selectedAppointmentId: detail.selectedAppointmentId });
});

test('session starts are limited per client address (each is a workflow): 429 with Retry-After past the limit', async () => {
  // The stack trusts a proxy on loopback: this address is a client's, not the stack's own (exempt) one.
  const from = { 'x-forwarded-for': '203.0.113.7' };
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await new PortalClient(stack.apiUrl).send('POST', '/portal/api/session', {}, from)).status);
  expect(statuses).toEqual([200, 200, 200, 429]);
  const refused = await new PortalClient(stack.apiUrl).send('POST', '/portal/api/link', { token: 'x'.repeat(43) }, from);
  expect(refused.status).toBe(429);
  expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
});

test('an API without the portal sessions (no Temporal) answers 503 portal_unavailable, and still serves the page', async () => {
  const { startStack } = await import('../api/stack');
  const bare = await startStack();
  try {
    const r = await new PortalClient(bare.api.url).send('POST', '/portal/api/session', {});
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('portal_unavailable');
    const page = await fetch(`${bare.api.url}/portal`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  } finally {
    await bare.stop();
  }
});
