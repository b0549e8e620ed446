/** The CLI as users run it: `node bin/ivr.js check|graph …`, exit codes and output shapes. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function ivr(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/ivr.js', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('ivr check', () => {
  it('exits 0 on the shipped machines', () => {
    const r = ivr('check', 'machines/rdv-ivr.yaml', 'machines/voice-crm.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('machines/rdv-ivr.yaml: 0 error(s)');
  });

  it('exits 1 and prints compiler-style lines on errors', () => {
    const r = ivr('check', 'test/machine/corpus/unknown-state.yaml');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      "test/machine/corpus/unknown-state.yaml:28:15: error [unknown-state] state 'ask': routes[1].next 'by' names no state. Did you mean 'bye'?",
    );
  });

  it('exits 2 when a file cannot be read', () => {
    const r = ivr('check', 'machines/rdv-ivr.yaml', 'machines/does-not-exist.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot read machines/does-not-exist.yaml');
  });

  it('--json prints one object with the diagnostics', () => {
    const r = ivr('check', '--json', 'test/machine/corpus/unset-ctx.yaml', 'machines/voice-crm.yaml');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { ok: boolean; files: unknown[]; diagnostics: Record<string, unknown>[] };
    expect(report.ok).toBe(false);
    expect(report.files).toHaveLength(2);
    expect(report.diagnostics).toHaveLength(1);
    const d = report.diagnostics[0] as Record<string, unknown>;
    expect(Object.keys(d).sort()).toEqual(['code', 'column', 'file', 'line', 'message', 'path', 'severity', 'state']);
    expect(d).toMatchObject({ severity: 'error', code: 'unset-ctx', file: 'test/machine/corpus/unset-ctx.yaml', line: 35, column: 16, state: 'show', path: '/states/show/action/path/id' });
  });
});

describe('ivr graph', () => {
  it('writes a dot file with screen clusters and labelled edges', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ivr-graph-')), 'rdv.dot');
    const r = ivr('graph', 'machines/rdv-ivr.yaml', '--format', 'dot', '--out', out);
    expect(r.code).toBe(0);
    const dot = fs.readFileSync(out, 'utf8');
    for (let c = 0; c <= 7; c++) expect(dot).toContain(`subgraph "cluster_C${c}"`);
    expect(dot).toContain('"ivr.entry" -> "ivr.auth.phone_capture" [label="take_appointment [1]"]');
  });

  it('exits 1 on a broken machine and 2 on bad usage', () => {
    expect(ivr('graph', 'test/machine/corpus/unknown-state.yaml', '--format', 'mermaid').code).toBe(1);
    expect(ivr('graph', 'machines/rdv-ivr.yaml', '--format', 'svg').code).toBe(2);
  });
});
