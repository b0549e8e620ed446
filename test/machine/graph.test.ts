import fs from 'node:fs';
import { toDot, toMermaid } from '../../lib/machine/diagram';
import { loadMachine } from '../../lib/machine/loader';

describe('diagrams', () => {
  const m = loadMachine('machines/rdv-ivr.yaml');

  it('mermaid groups states by screen and labels edges', () => {
    const text = toMermaid(m);
    expect(text.split('\n')[1]).toBe('flowchart TD');
    for (let c = 0; c <= 7; c++) expect(text).toContain(`subgraph C${c}["C${c}"]`);
    // intent + DTMF, no-input / no-match counters, action success / failure, global route, exhausted counters
    expect(text).toContain('n_ivr_entry -->|"take_appointment [1]"| n_ivr_auth_phone_capture');
    expect(text).toContain('n_ivr_entry -.->|"no-input ×2 / no-match ×2"| n_ivr_entry_retry');
    expect(text).toMatch(/n_ivr_auth_request_otp -->\|"success"\| n_ivr_auth_verify_otp/);
    expect(text).toMatch(/n_ivr_appointment_send_ics -->\|"failure"\| n_ivr_handoff_to_agent/);
    expect(text).toContain('__global_routes -.->|"operator [0]"| n_ivr_handoff_to_agent');
    expect(text).toMatch(/__exhausted -.->\|"[^"]+"\| n_ivr_goodbye/);
    expect(text).toContain('"#quot;partager#quot;"');
  });

  it('dot has one cluster per screen and escapes labels', () => {
    const text = toDot(m);
    expect(text.match(/subgraph "cluster_C\d"/g)).toHaveLength(8);
    expect(text).toContain('"ivr.confirmation" -> "ivr.confirmation.share" [label="\\"partager\\""]');
    expect(text).toContain('label="success"');
    expect(text).toContain('label="failure"');
  });
});

describe('committed diagrams (docs/)', () => {
  it.each(['rdv-ivr', 'voice-crm'])('docs/%s.dot and .mmd match the machine (regenerate with ivr graph, then dot -Tsvg)', (name) => {
    const machine = loadMachine(`machines/${name}.yaml`);
    expect(fs.readFileSync(`docs/${name}.dot`, 'utf8')).toBe(toDot(machine));
    expect(fs.readFileSync(`docs/${name}.mmd`, 'utf8')).toBe(toMermaid(machine));
    expect(fs.statSync(`docs/${name}.svg`).size).toBeGreaterThan(1000);
  });
});
