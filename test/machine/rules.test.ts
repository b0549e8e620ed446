/** Edge cases of the checker rules: what must NOT be reported, and the per-visit order the data flow assumes. */
import fs from 'node:fs';
import { stateEdges, isListening } from '../../lib/machine/graph';
import { checkMachineSource, loadMachine } from '../../lib/machine/loader';

const corpus = (name: string): string => fs.readFileSync(`test/machine/corpus/${name}.yaml`, 'utf8');
const codes = (yaml: string): string[] => checkMachineSource('t.yaml', yaml).diagnostics.map((d) => d.code);

describe('unset-ctx', () => {
  it('is silent when every path sets the key', () => {
    const fixed = corpus('unset-ctx').replace('        next: show\n  show:', '        set: { item_id: "7" }\n        next: show\n  show:');
    expect(codes(fixed)).toEqual([]);
  });

  it('sees collect `into` in the action of the same state but not in its prompt', () => {
    const base = `machine: t\nversion: "1"\nlocale: fr-FR\ntimezone: Europe/Paris\nglobals:\n  noinput_timeout_sec: 5\n  exhausted_next: bye\n  endpoints: { send: "PUT /send" }\nintents: {}\nstates:\n  ask:\n    type: prompt_and_listen\n    prompt: "PROMPT"\n    collect: { mode: phone }\n    action:\n      call: \${globals.endpoints.send}\n      body: { to: "{{ctx.phone_e164}}" }\n      on_success: { next: bye }\n      on_fail: { next: bye }\n  bye:\n    type: prompt_end\n    prompt: "Au revoir."\n`;
    expect(codes(base.replace('PROMPT', 'Votre numéro ?'))).toEqual([]);
    const r = checkMachineSource('t.yaml', base.replace('PROMPT', 'Votre numéro, {{ctx.phone_e164}} ?'));
    expect(r.diagnostics).toMatchObject([{ code: 'unset-ctx', state: 'ask', line: 13, column: 30 }]);
  });
});

describe('loops', () => {
  it('max_visits ends a silence loop', () => {
    const bounded = corpus('silence-loop').replace('    noinput:\n', '    max_visits: { max: 3, next: bye }\n    noinput:\n');
    expect(codes(bounded)).toEqual([]);
  });

  it('max_visits ends an action loop', () => {
    const bounded = corpus('action-loop').replace('  again:\n    type: action_then_prompt\n', '  again:\n    type: action_then_prompt\n    max_visits: { max: 2, next: bye }\n');
    expect(codes(bounded)).toEqual([]);
  });
});

describe('intent-collision', () => {
  it('a state routing the global intent itself is not a collision', () => {
    const own = corpus('intent-collision-global').replace('      - when_intent: none_of_these\n        next: bye\n', '      - when_intent: operator\n        next: human\n');
    expect(codes(own)).toEqual(['unused-intent']); // none_of_these is no longer routed; no collision
  });
});

describe('rdv-ivr journeys the product must pass', () => {
  const m = loadMachine('machines/rdv-ivr.yaml');

  it('operator reaches ivr.handoff.to_agent from every listening state, with no colliding route', () => {
    const listening = Object.values(m.states).filter(isListening);
    expect(listening.length).toBeGreaterThan(20);
    for (const s of listening) {
      const toAgent = stateEdges(m, s).filter((e) => e.to === 'ivr.handoff.to_agent' && e.label.startsWith('operator'));
      expect({ state: s.name, reachable: toAgent.length > 0 }).toEqual({ state: s.name, reachable: true });
    }
    expect(checkMachineSource('x.yaml', fs.readFileSync('machines/rdv-ivr.yaml')).diagnostics.filter((d) => d.code === 'intent-collision')).toEqual([]);
  });
});
