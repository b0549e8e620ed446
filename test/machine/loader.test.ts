import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { checkMachineFile, checkMachineSource, loadMachine, MachineLoadError } from '../../lib/machine/loader';
import type { CompiledMachine } from '../../lib/machine/model';

// Names written in seed 001: every one must survive the rebuild.
const SEED_STATES =
  'ivr.entry ivr.entry.retry ivr.portal.send_link ivr.auth.phone_capture ivr.auth.request_otp ivr.auth.request_otp.fail_menu ivr.auth.verify_otp ivr.auth.verify_otp.retry ivr.auth.consent ivr.auth.consent.refused ivr.auth.preferred_channel ivr.auth.persist_prefs ivr.appointments.list.upcoming ivr.appointments.list.past ivr.appointments.list.router ivr.appointment.detail ivr.appointment.detail.router ivr.appointment.send_ics ivr.appointment.callback ivr.appointment.confirm ivr.reschedule.preferences ivr.reschedule.mode ivr.reschedule.date_window ivr.reschedule.submit_preferences ivr.slots.fetch ivr.slots.choose ivr.slots.select ivr.slots.none ivr.cancel.reason ivr.cancel.comment ivr.cancel.execute ivr.cancel.after ivr.confirmation ivr.confirmation.share ivr.handoff.agent_gate ivr.handoff.to_agent ivr.goodbye'.split(' ');
const SEED_INTENTS =
  'take_appointment manage_team send_link repeat back operator list_upcoming list_past choose_first choose_second choose_third details confirm reschedule cancel add_to_calendar callback none_of_these morning afternoon mode_home mode_video mode_clinic reason_personal reason_health reason_unavailable reason_other yes no chan_whatsapp chan_sms chan_email'.split(' ');
const SEED_ENDPOINTS =
  'send_magic_link request_otp verify_otp get_me list_appointments get_appointment confirm_appointment cancel_appointment request_callback send_ics get_proposals select_slot submit_preferences propose_new_slots share_link notify_agent'.split(' ');

describe('shipped machines', () => {
  it.each(['machines/rdv-ivr.yaml', 'machines/voice-crm.yaml'])('%s checks with no error and no warning', (file) => {
    const r = checkMachineFile(file);
    expect(r.diagnostics).toEqual([]);
    expect(r.machine?.source).toEqual({ file, sha256: createHash('sha256').update(fs.readFileSync(file)).digest('hex') });
  });

  describe('rdv-ivr compiled', () => {
    let m: CompiledMachine;
    beforeAll(() => {
      m = loadMachine('machines/rdv-ivr.yaml');
    });

    it('keeps every state, intent and endpoint of seed 001, each state on a screen C0…C7', () => {
      for (const s of SEED_STATES) expect(m.states[s]?.screen).toMatch(/^C[0-7]$/);
      expect(Object.keys(m.intents).sort()).toEqual([...SEED_INTENTS].sort());
      for (const e of SEED_ENDPOINTS) expect(Object.keys(m.globals.endpoints as object)).toContain(e);
      expect(m.entry).toBe('ivr.entry');
      expect(m.exhaustedNext).toBe('ivr.goodbye');
      expect(m.globalRoutes).toMatchObject([{ when: { intent: 'operator' }, next: 'ivr.handoff.to_agent' }]);
    });

    it('substitutes globals once, keeping their types', () => {
      const verify = m.states['ivr.auth.verify_otp'];
      expect(verify?.collect).toMatchObject({ mode: 'otp', allowDtmf: true, length: 6, retry: { max: 2, onFailNext: 'ivr.auth.verify_otp.retry' }, into: 'otp' });
      expect(verify?.action).toMatchObject({ endpoint: 'verify_otp', method: 'PUT', pathTemplate: '/auth/verify-otp' });
      expect(m.states['ivr.handoff.to_agent']?.handoff).toMatchObject({ enabled: true, queueId: 'care_queue_1', prompt: { source: 'Je vous mets en relation avec un conseiller.' } });
      const prefs = m.states['ivr.auth.persist_prefs']?.action;
      expect(prefs?.endpoint).toBe('save_prefs');
      expect(Object.keys(prefs?.body ?? {})).toEqual(expect.arrayContaining(['consent_ok', 'preferred_channel', 'consent_wording_version', 'call_id', 'session_id']));
      expect(prefs?.body?.consent_wording_version).toEqual({ kind: 'literal', value: 'v1' });
    });

    it('compiles templates, collect targets, timeouts and counters', () => {
      const detail = m.states['ivr.appointment.detail']?.action;
      expect(detail?.path.id).toEqual({ kind: 'template', template: { source: '{{ctx.appt_selected_id}}', nodes: [{ kind: 'expr', path: ['ctx', 'appt_selected_id'] }] } });
      const choose = m.states['ivr.slots.choose'];
      expect(choose?.prompt?.nodes.some((n) => n.kind === 'if')).toBe(true);
      expect(choose?.maxVisits).toMatchObject({ max: 6, next: 'ivr.handoff.to_agent' });
      expect(m.states['ivr.reschedule.date_window']).toMatchObject({ noinputTimeoutSec: 8, collect: { into: { from: 'pref_date_from', to: 'pref_date_to' } } });
      expect(m.states['ivr.entry']).toMatchObject({ noinputTimeoutSec: 6, noinput: { max: 2, next: 'ivr.entry.retry' }, loc: { file: 'machines/rdv-ivr.yaml', column: 3 } });
      const retry = m.states['ivr.auth.verify_otp.retry'];
      expect(retry?.collect?.mode).toBe('otp');
      expect(retry?.action?.endpoint).toBe('verify_otp');
      expect(retry?.maxVisits?.max).toBeGreaterThan(0);
    });

    it('is plain JSON data (survives serialization unchanged)', () => {
      expect(JSON.parse(JSON.stringify(m))).toEqual(m);
    });
  });
});

describe('malformed input', () => {
  it('reports YAML syntax errors with line and column, no stack trace', () => {
    const r = checkMachineSource('bad.yaml', 'machine: t\nstates:\n  a: [1, 2\n  b: 3\n');
    expect(r.machine).toBeUndefined();
    expect(r.diagnostics.length).toBeGreaterThan(0);
    expect(r.diagnostics[0]).toMatchObject({ severity: 'error', code: 'yaml-syntax', file: 'bad.yaml' });
    expect(r.diagnostics[0]?.line).toBeGreaterThanOrEqual(3);
    expect(r.diagnostics[0]?.message).not.toMatch(/\n|    at /);
  });

  it('reports duplicate keys at the second key', () => {
    const r = checkMachineSource('dup.yaml', 'machine: t\nstates:\n  a: 1\n  a: 2\n');
    expect(r.diagnostics).toMatchObject([{ code: 'yaml-syntax', line: 4, column: 3 }]);
  });

  it('rejects a document that is not a mapping', () => {
    expect(checkMachineSource('list.yaml', '- a\n- b\n').diagnostics).toMatchObject([{ code: 'wrong-type', line: 1, column: 1 }]);
  });

  it('still reports unknown globals when the schema fails too', () => {
    const src = fs.readFileSync('test/machine/corpus/unknown-global.yaml', 'utf8').replace('    prompt: "Oui ou non ?"', '    promt: "Oui ou non ?"');
    const codes = checkMachineSource('x.yaml', src).diagnostics.map((d) => d.code);
    expect(codes).toEqual(expect.arrayContaining(['unknown-global', 'unknown-key']));
  });

  it('loadMachine throws MachineLoadError carrying the diagnostics', () => {
    expect(() => loadMachine('test/machine/corpus/unknown-state.yaml')).toThrow(MachineLoadError);
    try {
      loadMachine('test/machine/corpus/unknown-state.yaml');
    } catch (e) {
      expect((e as MachineLoadError).message).toContain('unknown-state.yaml:28:15: error [unknown-state]');
    }
  });
});
