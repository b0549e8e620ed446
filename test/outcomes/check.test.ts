/** `ivr check` and the engine's rules for outcomes (lib/machine/model.ts, "Outcomes"). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkFiles } from '../../cli/commands/check';
import { checkMachineSource } from '../../lib/machine/loader';
import { startSession, step } from '../../workflows/engine';
import type { EngineInput, Step } from '../../workflows/engine/types';
import { OUTCOMES_MACHINE_YAML, outcomesMachine } from './machine';

const codes = (yaml: string) => checkMachineSource('m.yaml', yaml).diagnostics.map((d) => `${d.severity} ${d.code} ${d.state ?? ''} ${d.line}`);

function writeTemp(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outcomes-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('ivr check', () => {
  test('refuses a machine with an ending that carries no outcome, naming file:line, the state and what to add', () => {
    const yaml = OUTCOMES_MACHINE_YAML.replace('        outcome: booked\n', '');
    const file = writeTemp('no-outcome.yaml', yaml);
    const { report, exitCode } = checkFiles([file]);
    expect(exitCode).toBe(1);
    const [d, ...rest] = report.diagnostics;
    expect(rest).toEqual([]);
    const line = yaml.split('\n').findIndex((l) => l === '        next: bye') + 1;
    expect(d).toMatchObject({ severity: 'error', code: 'missing-outcome', file, line, state: 'book', path: '/states/book/action/on_success/next' });
    expect(d!.message).toMatch(/ends the session in 'bye'.*add outcome: <name> here/);
  });

  test('the machine of the sessions test checks clean', () => {
    expect(codes(OUTCOMES_MACHINE_YAML)).toEqual([]);
  });

  test('a prompt_end with its own outcome covers every path to it', () => {
    const yaml = OUTCOMES_MACHINE_YAML.replace('        outcome: booked\n', '').replace('    prompt: "Au revoir."', '    prompt: "Au revoir."\n    outcome: booked');
    expect(codes(yaml)).toEqual([]);
  });

  test('an outcome nobody defined, or a built-in one redefined, is an error', () => {
    const typo = OUTCOMES_MACHINE_YAML.replace('outcome: booked', 'outcome: bookd');
    const lineOf = (yaml: string, text: string) => yaml.split('\n').findIndex((l) => l.includes(text)) + 1;
    expect(codes(typo)).toEqual([`error unknown-outcome book ${lineOf(typo, 'outcome: bookd')}`]);
    expect(checkMachineSource('m.yaml', typo).diagnostics[0]!.message).toContain("Did you mean 'booked'?");
    const redefined = OUTCOMES_MACHINE_YAML.replace('outcomes:\n', 'outcomes:\n  caller_hung_up: { goal: true }\n');
    expect(codes(redefined)).toEqual([`error unknown-outcome  ${lineOf(redefined, 'caller_hung_up')}`]);
  });

  test('a machine that names no outcome at all (written before outcomes) still loads; check says its goal is unknown', () => {
    const legacy = OUTCOMES_MACHINE_YAML.replace('        outcome: booked\n', '').replace(/outcomes:\n.*\n/, '');
    expect(codes(legacy)).toEqual([]);
    const { report } = checkFiles([writeTemp('legacy.yaml', legacy)]);
    expect(report.files[0]!.outcomes?.undeclared).toBe(true);
  });

  test('lists the outcomes of the shipped machines, goals apart', () => {
    const { report, exitCode } = checkFiles(['machines/rdv-ivr.yaml', 'machines/voice-crm.yaml']);
    expect(exitCode).toBe(0);
    const [rdv, crm] = report.files;
    expect(rdv!.outcomes).toEqual({
      reached: ['calendar_sent', 'callback_requested', 'cancelled', 'confirmed', 'handed_off', 'link_sent', 'rescheduled'],
      notReached: ['backend_failed', 'caller_hung_up', 'consent_refused', 'max_visits_reached', 'noinput_exhausted', 'nomatch_exhausted', 'transfer_failed'],
    });
    expect(crm!.outcomes?.reached).toEqual(['contact_created', 'contacts_listed', 'handed_off']);
  });
});

describe('the engine records outcomes', () => {
  const clock = { nowIso: '2026-12-02T10:00:00.000Z' };
  const drive = (yaml: string, inputs: EngineInput[]): Step => {
    const m = outcomesMachine(yaml);
    let last = startSession(m, {}, clock);
    for (const input of inputs) last = step(m, last.session, input, clock);
    return last;
  };
  const ok = (stepId: string): EngineInput => ({ kind: 'action_result', stepId, ok: true, status: 200, body: {} });

  // The success goes back to the menu (a listening state) instead of ending.
  const loopBack = OUTCOMES_MACHINE_YAML.replace("prompt: \"C'est réservé.\"\n        next: bye", "prompt: \"C'est réservé.\"\n        next: menu").replace(
    '      - when_intent: book\n        next: book\n',
    '      - when_intent: book\n        next: book\n      - when_text: "au revoir"\n        next: bye\n        outcome: left_early\n',
  ).replace('outcomes:\n', 'outcomes:\n  left_early: { goal: false }\n');

  test('a goal reached stays reached when the caller hangs up later', () => {
    const s = drive(loopBack, [{ kind: 'dtmf', digits: '1' }, ok('1'), { kind: 'hangup' }]);
    expect(s.session.ended).toMatchObject({ outcome: 'hangup', state: 'menu', declared: { name: 'booked', goal: true } });
  });

  test('an outcome that is not a goal does not replace a goal reached', () => {
    const s = drive(loopBack, [{ kind: 'dtmf', digits: '1' }, ok('1'), { kind: 'text', text: 'au revoir' }]);
    expect(s.session.ended).toMatchObject({ outcome: 'completed', declared: { name: 'booked', goal: true } });
  });

  test('an outcome that is not a goal is forgotten when the caller is asked again', () => {
    // The failed booking goes back to the menu: the next ending is the caller's, not backend_failed.
    const yaml = loopBack.replace("prompt: \"Je n'ai pas pu réserver.\"\n        next: bye", "prompt: \"Je n'ai pas pu réserver.\"\n        next: menu");
    const failed: EngineInput = { kind: 'action_result', stepId: '1', ok: false, status: 409, error: 'slot_taken' };
    const atMenu = drive(yaml, [{ kind: 'dtmf', digits: '1' }, failed]);
    expect(atMenu.trace).toContainEqual({ kind: 'outcome', state: 'book', outcome: 'backend_failed', goal: false });
    expect(atMenu.session.outcome).toBeUndefined();
    const s = drive(yaml, [{ kind: 'dtmf', digits: '1' }, failed, { kind: 'text', text: 'au revoir' }]);
    expect(s.session.ended).toMatchObject({ declared: { name: 'left_early', goal: false } });
  });
});
