/**
 * Exactly once at the edges: every write the rdv-ivr machine makes × every fault a fault proxy can inject, between
 * the API and its peer (Odoo or Brevo simulator) and between the worker and the API. Each case is one web session
 * on the real dev server, driven from the entry to the write, and asserts:
 *  - one effect at the peer (counted on the simulator for this case's own partner and appointment; a message the
 *    peer never received is the one allowed "none", and only with a prompt that says the sending is uncertain);
 *  - a truthful prompt (success said only when the effect is there; "pas certain" when the outcome is unknown);
 *  - a defined end state (the state the machine's success branch names).
 * Peer timeouts are 2 s here (ODOO_TIMEOUT_MS, BREVO_TIMEOUT_MS: 1 s was too tight for a retried send on a loaded machine) and the activity's 3 s, so a slow answer costs
 * 1.5–4 s, not 16. Findings 1–3 of the issue are the rows callback × odoo delay, request_otp × brevo delay and
 * select_slot × odoo delay.
 */
import { fromOdooDatetime } from '../../api/odoo/practice';
import type { SessionView } from '../../workflows/session-api';
import type { Fault, FaultRule } from '../support/fault-proxy';
import { latestCode, startEdgeStack, type CaseRecord, type EdgeStack, type Session } from './stack';

jest.setTimeout(300_000);

type Write = 'request_otp' | 'callback' | 'select_slot' | 'cancel' | 'confirm' | 'send_ics' | 'share_link';
type Where = 'peer' | 'api';
type FaultName = 'delay' | 'drop_after' | 'drop_before' | 'status_5xx' | 'delay_every';

const WRITES: Write[] = ['request_otp', 'callback', 'select_slot', 'cancel', 'confirm', 'send_ics', 'share_link'];
const FAULTS: FaultName[] = ['delay', 'drop_after', 'drop_before', 'status_5xx'];
/** Worker → API: one write of each idempotency class (a send, a marker, a natural one) and the cancel's note. */
const API_WRITES: Write[] = ['request_otp', 'callback', 'select_slot', 'cancel'];
const BREVO_WRITES = new Set<Write>(['request_otp', 'send_ics', 'share_link']);
/**
 * Every matching request late, not just the first (finding 3: calendar.event.write slowed for good): the write must
 * reach the peer once. Not the e-mail: Brevo dedupes it by key, and a Brevo that never answers in time is down.
 */
const EVERY_WRITES: Write[] = ['request_otp', 'callback', 'select_slot', 'cancel', 'confirm', 'share_link'];

interface Case {
  write: Write;
  where: Where;
  fault: FaultName;
  rec: CaseRecord;
}

function faultOf(name: FaultName, where: Where): Fault {
  switch (name) {
    case 'delay':
    case 'delay_every':
      // after the peer (or the API) acted: longer than the client's bound (2 s to the peers, 3 s to the API)
      return { kind: 'delay', ms: where === 'api' ? 4000 : 2500 };
    case 'drop_after':
      return { kind: 'drop_after' };
    case 'drop_before':
      return { kind: 'drop_before' };
    case 'status_5xx':
      return { kind: 'status', status: where === 'api' ? 502 : 500 };
  }
}

function attendeeOf(stack: EdgeStack, rec: CaseRecord): number {
  const row = stack.odooSim.records('calendar.attendee').find((a) => a.event_id === rec.eventId && a.partner_id === rec.partnerId);
  if (!row) throw new Error(`no attendee for event ${rec.eventId}`);
  return Number(row.id);
}

/** The rule aiming the fault at this case's write, and nothing else. */
function ruleFor(stack: EdgeStack, c: Case): { proxy: 'odoo' | 'brevo' | 'api'; rule: FaultRule } {
  const fault = faultOf(c.fault, c.where);
  const { rec } = c;
  const times = c.fault === 'delay_every' ? 1000 : 1;
  if (c.where === 'api') {
    const path = c.write === 'request_otp' ? '/auth/request-otp' : `/appointments/${rec.eventId}/${c.write === 'select_slot' ? 'select-slot' : c.write}`;
    return { proxy: 'api', rule: { method: 'PUT', path, fault, times, ...(c.write === 'request_otp' ? { bodyIncludes: rec.phone } : {}) } };
  }
  const aimed = aim(stack, c);
  return { proxy: aimed.proxy, rule: { ...aimed.rule, fault, times } };
}

function aim(stack: EdgeStack, c: Case): { proxy: 'odoo' | 'brevo'; rule: Omit<FaultRule, 'fault'> } {
  const { rec } = c;
  switch (c.write) {
    case 'request_otp':
      return { proxy: 'brevo', rule: { path: '/v3/transactionalSMS/send', bodyIncludes: [rec.digits, 'code de connexion'] } };
    case 'share_link':
      return { proxy: 'brevo', rule: { path: '/v3/transactionalSMS/send', bodyIncludes: [rec.digits, '/portal/shared/'] } };
    case 'send_ics':
      return { proxy: 'brevo', rule: { path: '/v3/smtp/email', bodyIncludes: `"${rec.email}"` } };
    case 'callback':
      return { proxy: 'odoo', rule: { rpc: { model: 'mail.activity', method: 'create' }, bodyIncludes: `"res_id":${rec.eventId},` } };
    case 'select_slot':
      return { proxy: 'odoo', rule: { rpc: { model: 'calendar.event', method: 'write' }, bodyIncludes: `[[${rec.eventId}],` } };
    case 'cancel':
      return { proxy: 'odoo', rule: { rpc: { model: 'calendar.event', method: 'message_post' }, bodyIncludes: `[[${rec.eventId}]]` } };
    case 'confirm':
      return { proxy: 'odoo', rule: { rpc: { model: 'calendar.attendee', method: 'do_accept' }, bodyIncludes: `[[${attendeeOf(stack, rec)}]]` } };
  }
}

const said = (v: SessionView) => v.prompts.join(' ');

interface Outcome {
  effects: number;
  prompt: string;
  state: string;
  ended: boolean;
  /** The write's own prompt said its outcome is uncertain. */
  uncertain: boolean;
  /** Requests of this case's write that the faulted proxy let through to the peer. */
  reached?: number;
}

/** Entry → code → consent → channel → the list, the fault armed before the write of the case. */
async function login(stack: EdgeStack, s: Session, c: Case, arm: () => void): Promise<{ uncertain: boolean; prompt: string }> {
  await s.send({ dtmf: '1' });
  if (c.write === 'request_otp') arm();
  let v = await s.send({ dtmf: c.rec.keyed });
  expect(v.state).toBe('ivr.auth.verify_otp');
  const prompt = said(v);
  const uncertain = /pas certain que le SMS/.test(prompt);
  let code = latestCode(stack.brevoSim, c.rec);
  if (!uncertain) expect(code).not.toBeNull(); // "vient de vous être envoyé" only when it was
  if (code === null) {
    // the SMS never reached the provider: the caller asks for another one
    v = await s.send({ text: 'renvoyer' });
    expect(said(v)).toMatch(/vient de vous être envoyé/);
    code = latestCode(stack.brevoSim, c.rec);
  }
  v = await s.send({ dtmf: code! });
  expect(v.state).toBe('ivr.auth.consent');
  await s.send({ dtmf: '1' });
  v = await s.send({ dtmf: '2' });
  expect(v.state).toBe('ivr.appointments.list.router');
  return { uncertain, prompt };
}

async function runCase(stack: EdgeStack, c: Case): Promise<Outcome> {
  const { proxy, rule } = ruleFor(stack, c);
  const p = proxy === 'odoo' ? stack.odooProxy : proxy === 'brevo' ? stack.brevoProxy : stack.apiProxy;
  let index = -1;
  const out = await runJourney(stack, c, () => {
    index = p.add(rule);
  });
  // a delayed request was forwarded: it reached the peer
  return { ...out, reached: p.hits.filter((h) => h.rule === index && h.fault === 'delay').length };
}

async function runJourney(stack: EdgeStack, c: Case, arm: () => void): Promise<Outcome> {
  const s = await stack.start(c.rec);
  const { rec } = c;
  const { uncertain: otpUncertain, prompt: otpPrompt } = await login(stack, s, c, arm);
  let v: SessionView;
  switch (c.write) {
    case 'request_otp': {
      const sms = stack.brevoSim.outbox.filter((m) => m.to.includes(rec.digits) && /code de connexion/.test(m.content ?? ''));
      return { effects: sms.length, prompt: otpPrompt, state: 'ivr.auth.verify_otp', ended: false, uncertain: otpUncertain };
    }
    case 'callback':
      await s.send({ text: 'détails' });
      arm();
      v = await s.send({ text: 'me rappeler' });
      return {
        effects: stack.odooSim.searchCount('mail.activity', [['res_model', '=', 'calendar.event'], ['res_id', '=', rec.eventId]]),
        prompt: said(v), state: v.state, ended: Boolean(v.ended), uncertain: false,
      };
    case 'select_slot': {
      await s.send({ text: 'je voudrais le déplacer' });
      await s.send({ text: 'le matin' });
      await s.send({ text: 'au cabinet' });
      v = await s.send({ text: 'dès que possible' });
      expect(v.state).toBe('ivr.slots.choose');
      const slot = (v.ctx.slots as Array<{ start: string }>)[0]!;
      arm();
      v = await s.send({ dtmf: '1' });
      const ev = stack.odooSim.records('calendar.event').find((e) => e.id === rec.eventId)!;
      const moved = fromOdooDatetime(String(ev.start)).getTime() === new Date(slot.start).getTime();
      return { effects: moved ? 1 : 0, prompt: said(v), state: v.state, ended: Boolean(v.ended), uncertain: false };
    }
    case 'cancel': {
      await s.send({ text: 'annuler' });
      await s.send({ dtmf: '1' });
      arm();
      v = await s.send({ text: 'non' });
      const notes = stack.odooSim.searchCount('mail.message', [['model', '=', 'calendar.event'], ['res_id', '=', rec.eventId], ['body', 'ilike', 'Annulation']]);
      const declined = stack.odooSim.records('calendar.attendee').some((a) => a.event_id === rec.eventId && a.state === 'declined');
      return { effects: declined ? notes : 0, prompt: said(v), state: v.state, ended: Boolean(v.ended), uncertain: false };
    }
    case 'confirm': {
      arm();
      v = await s.send({ text: 'confirmer' });
      const accepted = stack.odooSim.records('calendar.attendee').some((a) => a.event_id === rec.eventId && a.state === 'accepted');
      return { effects: accepted ? 1 : 0, prompt: said(v), state: v.state, ended: Boolean(v.ended), uncertain: false };
    }
    case 'send_ics': {
      await s.send({ text: 'détails' });
      arm();
      v = await s.send({ text: 'agenda' });
      const mails = stack.brevoSim.outbox.filter((m) => m.channel === 'email' && m.to.includes(rec.email));
      return { effects: mails.length, prompt: said(v), state: v.state, ended: Boolean(v.ended), uncertain: false };
    }
    case 'share_link': {
      await s.send({ text: 'confirmer' });
      arm();
      v = await s.send({ text: 'partager' });
      const sms = stack.brevoSim.outbox.filter((m) => m.to.includes(rec.digits) && /\/portal\/shared\//.test(m.content ?? ''));
      return { effects: sms.length, prompt: said(v), state: v.state, ended: Boolean(v.ended), uncertain: /pas certain que le message/.test(said(v)) };
    }
  }
}

/** What each write's success branch says and where it leads. */
const SUCCESS: Record<Write, { prompt: RegExp; state: string }> = {
  request_otp: { prompt: /vient de vous être envoyé|pas certain que le SMS/, state: 'ivr.auth.verify_otp' },
  callback: { prompt: /Un conseiller vous rappellera/, state: 'ivr.goodbye' },
  select_slot: { prompt: /replanifié/, state: 'ivr.confirmation' },
  cancel: { prompt: /Votre rendez-vous est annulé/, state: 'ivr.cancel.after' },
  confirm: { prompt: /Votre rendez-vous est confirmé/, state: 'ivr.confirmation' },
  send_ics: { prompt: /Je vous envoie l'invitation/, state: 'ivr.appointment.detail.router' },
  share_link: { prompt: /C'est partagé|pas certain que le message/, state: 'ivr.goodbye' },
};
const FAILURE_WORDS = /Je n'ai pas pu/;

const cases: Array<Omit<Case, 'rec'>> = [
  ...WRITES.flatMap((write) => FAULTS.map((fault) => ({ write, where: 'peer' as const, fault }))),
  ...EVERY_WRITES.map((write) => ({ write, where: 'peer' as const, fault: 'delay_every' as const })),
  ...API_WRITES.flatMap((write) => FAULTS.map((fault) => ({ write, where: 'api' as const, fault }))),
];

let stack: EdgeStack;
const results = new Map<string, Outcome | Error>();
const name = (c: Omit<Case, 'rec'>) => `${c.write} × ${c.where === 'api' ? 'worker→API' : BREVO_WRITES.has(c.write) ? 'API→Brevo' : 'API→Odoo'} ${c.fault}`;
let runtimeMs = 0;

beforeAll(async () => {
  const t0 = Date.now();
  stack = await startEdgeStack({ cases: cases.length });
  // Cases run side by side (each on its own partner and appointment), a few at a time on the shared cores.
  const queue = cases.map((c, i) => ({ ...c, rec: stack.cases[i]! }));
  const lanes = Array.from({ length: 8 }, async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      results.set(name(c), await runCase(stack, c).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e)))));
    }
  });
  await Promise.all(lanes);
  runtimeMs = Date.now() - t0;
  process.stderr.write(`[edges] matrix: ${cases.length} cases (${WRITES.length} writes × ${FAULTS.length} peer faults + ${EVERY_WRITES.length} always slow + ${API_WRITES.length} × ${FAULTS.length} worker→API faults) in ${(runtimeMs / 1000).toFixed(1)} s\n`);
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

test.each(cases.map((c) => [name(c), c] as const))('%s: one effect, a truthful prompt, a defined end state', (label, c) => {
  const out = results.get(label);
  if (out instanceof Error) throw out;
  expect(out).toBeDefined();
  const o = out!;
  const expected = SUCCESS[c.write];
  // Only a message the provider never received may be missing, and then the caller was told it is uncertain.
  const neverReached = c.where === 'peer' && c.fault === 'drop_before' && c.write === 'share_link';
  // the prompt and state ride along so that a failing row shows what the caller heard
  expect({ label, effects: o.effects, prompt: o.prompt, state: o.state }).toEqual({ label, effects: neverReached ? 0 : 1, prompt: o.prompt, state: o.state });
  if (o.uncertain) expect(['delay', 'delay_every', 'drop_after', 'drop_before']).toContain(c.fault);
  if (neverReached) expect(o.uncertain).toBe(true);
  expect(o.prompt).toMatch(expected.prompt);
  expect(o.prompt).not.toMatch(FAILURE_WORDS);
  expect(o.state).toBe(expected.state);
  // a provider that answered (even late) is never called uncertain on the worker side
  if (c.where === 'api') expect(o.uncertain).toBe(false);
  // a peer that is slow every time still gets the write once: read back, never repeated blindly
  if (c.fault === 'delay_every') expect({ label, reached: o.reached }).toEqual({ label, reached: 1 });
});

test('the findings of the issue are rows of the matrix: a late Odoo or Brevo answer no longer doubles nor misleads', () => {
  for (const label of ['callback × API→Odoo delay', 'request_otp × API→Brevo delay', 'select_slot × API→Odoo delay_every']) {
    const o = results.get(label);
    expect(o).not.toBeInstanceOf(Error);
    expect((o as Outcome).effects).toBe(1);
  }
  // finding 2: the late SMS is the only one, its code opens the session (login() typed it), and the caller was told
  expect((results.get('request_otp × API→Brevo delay') as Outcome).uncertain).toBe(true);
});
