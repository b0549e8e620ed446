/**
 * Random walks (seeded, reproducible) over the seed machine and a machine with every feature: whatever the caller,
 * the backend and the channel send, the engine never throws, is deterministic, and leaves the session in a state
 * of the machine, waiting for something, or ended.
 */
import path from 'node:path';
import type { CompiledMachine, JsonValue } from '../../lib/machine/model';
import { loadMachine } from '../../lib/machine/loader';
import { startSession, step } from '../../workflows/engine';
import type { EngineInput, Step } from '../../workflows/engine';
import { clock, machine, route } from './helpers';

/** mulberry32: a tiny seeded PRNG, enough for reproducible walks. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JUNK = ['', '   ', 'euh', 'bonjour madame', 'je ne sais pas', '???', 'zéro six douze trente-quatre cinquante-six soixante-dix-huit', 'un deux trois quatre cinq six', 'douze trente-quatre cinquante-six', 'lundi prochain', 'dès que possible', 'non merci', 'Je préfère le matin, merci', '+261 32 12 34 567', '06 12 34 56 78'];

function randomBody(r: () => number): JsonValue {
  const pick = r();
  if (pick < 0.1) return null;
  if (pick < 0.15) return 'oops';
  if (pick < 0.2) return [1, 2];
  const n = Math.floor(r() * 4);
  const list = Array.from({ length: n }, (_, i) => ({ id: 30 + i, voice_label: `créneau ${i}` }));
  return { count: n, appointments: list, slots: list, challenge_id: 'c', session_token: 't', partner_id: 7, summary_voice: 'résumé', voice_detail: 'fiche' };
}

function generator(m: CompiledMachine, r: () => number) {
  const utterances = Object.values(m.intents).flatMap((i) => i.utterances);
  const keys = [...new Set(Object.values(m.intents).flatMap((i) => i.dtmf)), '0', '5', '#', '*'];
  const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)]!;
  return (pending: string | undefined, seq: number): EngineInput => {
    const x = r();
    if (x < 0.02) return { kind: 'hangup' };
    if (x < 0.03) return { kind: 'start' };
    if (x < 0.1) return { kind: 'noinput' };
    if (x < 0.3) return { kind: 'dtmf', digits: r() < 0.6 ? pick(keys) : Array.from({ length: 1 + Math.floor(r() * 8) }, () => pick(keys)).join('') };
    if (x < 0.5) return { kind: 'speech', text: pick(utterances) };
    if (x < 0.6) return { kind: r() < 0.5 ? 'speech' : 'text', text: pick(JUNK) };
    if (x < 0.63) return { kind: 'text', text: pick(Object.keys(m.intents)) };
    if (x < 0.66) return { kind: 'handoff_result', ok: r() < 0.5 };
    // Action results: mostly for the step in flight, sometimes stale or unknown ids.
    const stepId = r() < 0.85 && pending !== undefined ? pending : String(Math.floor(r() * (seq + 2)));
    return r() < 0.75
      ? { kind: 'action_result', stepId, ok: true, status: 200, body: randomBody(r) }
      : { kind: 'action_result', stepId, ok: false, status: r() < 0.5 ? 404 : 503, error: 'failed' };
  };
}

function walk(m: CompiledMachine, seed: number, length: number): { inputs: EngineInput[]; steps: Step[] } {
  const r = prng(seed);
  const next = generator(m, r);
  const steps: Step[] = [startSession(m, { call_id: `call-${seed}`, session_id: 's' }, clock)];
  const inputs: EngineInput[] = [];
  for (let i = 0; i < length; i++) {
    const session = steps[steps.length - 1]!.session;
    const input = next(session.pendingStepId, session.seq);
    inputs.push(input);
    steps.push(step(m, session, input, clock));
  }
  return { inputs, steps };
}

function replay(m: CompiledMachine, seed: number, inputs: EngineInput[]): Step[] {
  const steps: Step[] = [startSession(m, { call_id: `call-${seed}`, session_id: 's' }, clock)];
  for (const input of inputs) steps.push(step(m, steps[steps.length - 1]!.session, input, clock));
  return steps;
}

function checkInvariants(m: CompiledMachine, steps: Step[], allowErrors: boolean): void {
  let endedAt = -1;
  steps.forEach((s, i) => {
    const where = `step ${i} (state ${s.session.state})`;
    const ss = s.session;
    if (!m.states[ss.state]) throw new Error(`${where}: state does not exist`);
    if (JSON.stringify(JSON.parse(JSON.stringify(ss))) !== JSON.stringify(ss)) throw new Error(`${where}: session is not plain JSON`);
    if ((ss.waiting === 'action') !== (ss.pendingStepId !== undefined)) throw new Error(`${where}: waiting ${ss.waiting} with pendingStepId ${ss.pendingStepId}`);
    const ends = s.commands.filter((c) => c.kind === 'end');
    if (ss.ended) {
      if (ss.waiting !== 'nothing') throw new Error(`${where}: ended but waiting for ${ss.waiting}`);
      if (endedAt >= 0 && (s.commands.length > 0 || JSON.stringify(ss) !== JSON.stringify(steps[endedAt]!.session))) {
        throw new Error(`${where}: an ended session moved`);
      }
      if (endedAt < 0) {
        endedAt = i;
        if (ends.length !== 1 || s.commands[s.commands.length - 1]?.kind !== 'end') throw new Error(`${where}: ending step must end with one end command`);
      }
    } else {
      if (ss.waiting === 'nothing') throw new Error(`${where}: a live session waits for nothing`);
      if (ends.length > 0) throw new Error(`${where}: end command without ended session`);
      const lastCmd = s.commands[s.commands.length - 1];
      if (ss.waiting === 'input' && lastCmd && lastCmd.kind !== 'listen') throw new Error(`${where}: waits for input but last command is ${lastCmd.kind}`);
      if (ss.waiting === 'action' && lastCmd && lastCmd.kind !== 'action') throw new Error(`${where}: waits for an action but last command is ${lastCmd.kind}`);
    }
    if (!allowErrors && s.trace.some((e) => e.kind === 'error')) throw new Error(`${where}: ${JSON.stringify(s.trace.find((e) => e.kind === 'error'))}`);
  });
}

const seedMachine = loadMachine(path.join(__dirname, '../../machines/rdv-ivr.yaml'));

const featureMachine = machine({
  states: {
    entry: {
      type: 'prompt_and_listen',
      prompt: 'Menu',
      routes: [route('take_appointment', 'phone'), route('send_link', 'list'), route('manage_team', 'off'), route('repeat', 'entry')],
      noinput: { max: 2, next: 'entry' },
      maxVisits: { max: 4, next: 'bye' },
    },
    phone: { type: 'prompt_and_listen', prompt: 'Numéro', collect: { mode: 'phone', required: ['phone_e164'] }, routes: [route('repeat', 'phone')], next: 'otp' },
    otp: {
      type: 'prompt_and_listen',
      prompt: 'Code',
      collect: { mode: 'otp', length: 6, retry: { max: 2, onFailNext: 'entry' } },
      action: { call: 'PUT /auth/verify', body: { otp: '{{ctx.otp}}' }, onSuccess: { set: { token: '{{resp.session_token}}' }, next: 'list' } },
    },
    list: {
      type: 'action_then_prompt',
      action: {
        call: 'GET /appointments',
        onSuccess: { set: { appt_list: '{{resp.appointments}}' }, prompt: '{{#if resp.count == 0}}Aucun.{{else}}{{resp.count}} : {{ctx.appt_list[0].voice_label}}{{/if}}', next: 'router' },
        onFail: { prompt: 'Erreur.', next: 'agent' },
      },
    },
    router: { type: 'listen', routes: [route('choose_first', 'when'), route('no', 'comment')], fallback: { next: 'entry' } },
    when: { type: 'prompt_and_listen', prompt: 'Quand ?', collect: { mode: 'date_nl' }, next: 'cancel' },
    comment: { type: 'prompt_and_listen', prompt: 'Commentaire ?', collect: { mode: 'free_speech_or_no' }, next: 'cancel' },
    cancel: {
      type: 'action_then_prompt',
      action: { call: 'PUT /appointments/{id}/cancel', path: { id: '{{ctx.appt_list[0].id}}' }, body: { comment: '{{ctx.comment}}' }, onSuccess: { next: 'bye' } },
    },
    off: { type: 'handoff', handoff: { enabled: false, queueId: 'q', onFail: { prompt: 'Fermé.', next: 'agent' } } },
    agent: { type: 'handoff', handoff: { enabled: true, queueId: 'care', prompt: 'Un instant.', onFail: { next: 'entry' } } },
    bye: { type: 'prompt_end', prompt: 'Au revoir.' },
  },
  globalRoutes: [route('operator', 'agent')],
  exhaustedNext: 'bye',
});

describe.each([
  ['the seed machine', seedMachine],
  ['a machine with every feature', featureMachine],
])('random walks over %s', (_name, m) => {
  const WALKS = 150;
  const LENGTH = 60;

  test(`${WALKS} walks of ${LENGTH} inputs never throw and keep the invariants`, () => {
    const statesSeen = new Set<string>();
    const names = Object.keys(m.states);
    for (let seed = 1; seed <= WALKS; seed++) {
      // Start from every state in turn (as if it were the entry), so that deep states get walked too.
      const from = { ...m, entry: names[seed % names.length]! };
      const { steps } = walk(from, seed, LENGTH);
      try {
        checkInvariants(from, steps, false);
      } catch (e) {
        throw new Error(`seed ${seed}: ${(e as Error).message}`);
      }
      for (const s of steps) for (const e of s.trace) if (e.kind === 'enter') statesSeen.add(e.state);
    }
    expect([...statesSeen].sort()).toEqual([...names].sort());
  });

  test('same inputs → deep-equal outputs (determinism)', () => {
    for (const seed of [3, 17, 42, 99]) {
      const { inputs, steps } = walk(m, seed, LENGTH);
      expect(replay(m, seed, inputs)).toEqual(steps);
    }
  });
});
