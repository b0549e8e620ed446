/**
 * The body of `ivr simulate`: loads machine and scripts (exit 2 on any error, with file:line), brings up the local
 * stack per script (fresh Odoo fixtures and Brevo outbox each time, one Temporal server for the run; a Brevo simulator
 * behind BREVO_BASE_URL is read through its URL), runs each
 * script through the channel's driver, prints the transcript, and optionally the coverage of the machine.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { parseDocument } from 'yaml';
import { checkMachineSource } from '../../lib/machine/loader';
import { formatDiagnostic } from '../../lib/machine/diagnostics';
import { endingLine } from '../../lib/machine/outcome-summary';
import type { CompiledMachine } from '../../lib/machine/model';
import { resolveTemporalServer, type TemporalServer } from '../../lib/temporal/server';
import { startLocalStack, type LocalStack } from '../../stack/local-stack';
import { readBrevoOutbox, type OutboxEntry } from '../../stack/peers';
import type { TraceEvent } from '../../workflows/engine/types';
import { computeCoverage, formatCoverage } from './coverage';
import { PortalSessionDriver } from './drivers/portal';
import { createVoiceDriver } from './drivers/voice-stack';
import { WebSessionDriver } from './drivers/web';
import { runScript, type OutboxMessage, type Peers, type SessionDriver, type TranscriptEntry } from './runner';
import { loadScript, ScriptError, type LoadedScript } from './script';

export interface SimulateOptions {
  machineArg?: string;
  scriptFiles: string[];
  channel?: 'voice' | 'web';
  /**
   * How a web script reaches its session: 'workflow' (default) sends each input as the workflow's update; 'portal'
   * goes through the portal's HTTP routes as a browser does (drivers/portal.ts). Voice scripts have one way.
   */
  via?: 'workflow' | 'portal';
  coverage: boolean;
  json: boolean;
  /** Folder where each session's history is written as JSON (for `ivr replay` and the replay tests). */
  saveHistories?: string;
  out(line: string): void;
  err(line: string): void;
}

/** Compiles the machine with the script's globals written into the YAML, so derived values (timeouts) follow. */
export function compileWithGlobals(file: string, overrides?: Record<string, unknown>): { machine?: CompiledMachine; text?: string; errors: string[] } {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return { errors: [`${file}: cannot read the machine (${(err as NodeJS.ErrnoException).code ?? String(err)})`] };
  }
  if (overrides && Object.keys(overrides).length > 0) {
    const doc = parseDocument(text);
    for (const [key, value] of Object.entries(overrides)) doc.setIn(['globals', key], value);
    text = String(doc);
  }
  const result = checkMachineSource(file, text);
  const errors = result.diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic);
  return { ...(errors.length ? {} : { machine: result.machine, text }), errors };
}

function outboxText(m: OutboxEntry): string {
  const html = m.html?.replace(/<[^>]+>/g, ' ') ?? '';
  return [m.subject, m.content, m.text, html, m.params ? JSON.stringify(m.params) : undefined].filter(Boolean).join(' ');
}

/** Brevo sends SMS recipients as digits: compare in E.164 like the script writes them. */
function asE164(to: string): string {
  return /^\d{6,15}$/.test(to) ? `+${to}` : to;
}

/**
 * The peers a script looks at. The Brevo outbox is read through the simulator's URL, whoever started it (this stack,
 * another process, behind a proxy); messages already there when the script starts belong to someone else.
 */
export async function peersOf(stack: { peers: Pick<LocalStack['peers'], 'brevo'>; odoo: LocalStack['odoo'] }): Promise<Peers> {
  const brevo = stack.peers.brevo;
  const odoo = {
    odooSearchCount: (model: string, domain: unknown[]) => stack.odoo.callKw<number>(model, 'search_count', [domain]),
    odooSearchRead: (model: string, domain: unknown[], fields: string[]) =>
      stack.odoo.callKw<Record<string, unknown>[]>(model, 'search_read', [domain], { fields, limit: 2 }),
  };
  if (brevo.identity !== 'simulator') {
    return {
      ...odoo,
      outbox: () => Promise.resolve([]),
      outboxUnavailable: `Brevo at ${brevo.url} is not a simulator (it does not answer GET /_sim/outbox), so sent messages cannot be read: point BREVO_BASE_URL at a Brevo simulator (npx ivr sim brevo), or unset BREVO_API_KEY`,
    };
  }
  const earlier = new Set((await readBrevoOutbox(brevo.url)).map((m) => m.messageId));
  return {
    ...odoo,
    async outbox(): Promise<OutboxMessage[]> {
      const mine = (await readBrevoOutbox(brevo.url)).filter((m) => !earlier.has(m.messageId));
      return mine.flatMap((m) => m.to.map((to) => ({ channel: m.channel, to: asE164(to), text: outboxText(m) })));
    },
  };
}

function printer(opts: SimulateOptions): (e: TranscriptEntry) => void {
  return (e) => {
    if (opts.json) return opts.out(JSON.stringify(e));
    switch (e.type) {
      case 'prompt':
        return opts.out(`  ivr     ${e.text}`);
      case 'input':
        return opts.out(`  caller  ${e.kind === 'dtmf' ? `[${e.value}]` : e.kind === 'hangup' ? '(hangs up)' : e.value}`);
      case 'state':
        return opts.out(`          → ${e.to}${e.via !== 'start' ? ` (${e.via})` : ''}`);
      case 'action':
        return opts.out(`          ${e.ok ? '✓' : '✗'} ${e.endpoint ?? 'action'} ${e.status ?? ''}`);
      case 'sent':
        return opts.out(`          ✉ ${e.channel} to ${e.to}: ${e.text.slice(0, 100)}`);
      case 'expect':
        return opts.out(`          ✓ expect (line ${e.line}: ${e.what})`);
      case 'end':
        return opts.out(`          ■ ${endingLine(e)}`);
      case 'result':
        return opts.out(e.ok ? `PASS ${e.script}` : `FAIL ${e.failure}`);
    }
  };
}

async function driverFor(script: LoadedScript, channel: 'voice' | 'web', machine: CompiledMachine, stack: LocalStack, via: 'workflow' | 'portal'): Promise<SessionDriver> {
  if (channel === 'web' && via === 'portal') return new PortalSessionDriver({ client: stack.client, apiUrl: stack.apiUrl });
  if (channel === 'web') {
    return new WebSessionDriver({
      client: stack.client,
      machine,
      taskQueue: stack.taskQueue,
      ...(script.caller ? { caller: script.caller } : {}),
    });
  }
  return createVoiceDriver({ script, machine, stack });
}

export async function simulateScripts(opts: SimulateOptions): Promise<number> {
  // Everything is validated before anything starts.
  const scripts: LoadedScript[] = [];
  try {
    for (const f of opts.scriptFiles) scripts.push(loadScript(f));
  } catch (err) {
    if (err instanceof ScriptError) {
      opts.err(err.message);
      return 2;
    }
    throw err;
  }
  const via = opts.via ?? 'workflow';
  const machines = new Map<string, CompiledMachine>();
  /** Through the portal, the API loads the machine itself (PORTAL_MACHINE): the script's version of it, as a file. */
  const portalMachines = new Map<string, string>();
  const portalTexts = new Map<string, { file: string; text: string }>();
  for (const s of scripts) {
    const file = opts.machineArg ?? s.machine;
    if (!file) {
      opts.err(`${s.file}: no machine: give it on the command line or as 'machine:' in the script`);
      return 2;
    }
    const channel = opts.channel ?? s.channel;
    if (via === 'portal' && channel !== 'web') {
      opts.err(`${s.file}: --via portal drives web sessions; this script runs on the ${channel} channel (give --channel web or drop --via)`);
      return 2;
    }
    const compiled = compileWithGlobals(file, s.globals);
    if (!compiled.machine) {
      opts.err(compiled.errors.join('\n'));
      return 2;
    }
    machines.set(s.file, compiled.machine);
    if (via === 'portal') portalTexts.set(s.file, { file, text: compiled.text ?? '' });
  }
  const scratch = via === 'portal' ? fs.mkdtempSync(path.join(os.tmpdir(), 'ivr-simulate-portal-')) : undefined;
  for (const [script, m] of portalTexts) {
    const copy = path.join(scratch!, `${portalMachines.size}-${path.basename(m.file)}`);
    fs.writeFileSync(copy, m.text);
    portalMachines.set(script, copy);
  }

  let temporal: TemporalServer | undefined;
  const traces: TraceEvent[][] = [];
  let failed = 0;
  try {
    temporal = await resolveTemporalServer();
    for (const script of scripts) {
      const machine = machines.get(script.file)!;
      const channel = opts.channel ?? script.channel;
      const portalMachine = portalMachines.get(script.file);
      const stack = await startLocalStack({
        env: { ...process.env, TEMPORAL_ADDRESS: temporal.address, TEMPORAL_NAMESPACE: temporal.namespace, ...(portalMachine ? { PORTAL_MACHINE: portalMachine } : {}) },
        ...(script.odoo ? { odooFixtures: script.odoo } : {}),
        taskQueue: `simulate-${process.pid}-${traces.length}`,
        apiStoreDir: 'memory://',
      });
      try {
        if (!opts.json) opts.out(`── ${script.name} (${channel}${via === 'portal' ? ', through the portal' : ''}) ──`);
        const driver = await driverFor(script, channel, machine, stack, via);
        const result = await runScript(script, { driver, peers: await peersOf(stack), emit: printer(opts) });
        traces.push(result.trace);
        if (!result.ok) failed += 1;
        if (opts.saveHistories && driver.workflowId) {
          const history = await stack.client.workflow.getHandle(driver.workflowId).fetchHistory();
          fs.mkdirSync(opts.saveHistories, { recursive: true });
          const out = path.join(opts.saveHistories, `${path.basename(script.file, path.extname(script.file))}.json`);
          fs.writeFileSync(out, historyToJSON(history));
        }
      } finally {
        await stack.stop();
      }
    }
  } catch (err) {
    if (err instanceof ScriptError) {
      opts.err(err.message);
      return 2;
    }
    throw err;
  } finally {
    await temporal?.stop();
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }

  if (opts.coverage) {
    const machine = machines.get(scripts[0]!.file)!;
    const report = computeCoverage(machine, traces);
    if (opts.json) opts.out(JSON.stringify({ type: 'coverage', ...report }));
    else opts.out(formatCoverage(report));
  }
  if (scripts.length > 1 && !opts.json) opts.out(`${scripts.length - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

