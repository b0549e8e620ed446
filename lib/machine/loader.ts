/**
 * Machine loader: YAML file → CompiledMachine (model.ts) plus diagnostics with file:line:column and state.
 * Phases: YAML syntax → `${globals.…}` substitution → zod schema → compile (templates parsed once) → checker rules.
 * Never throws on bad input: malformed YAML is a `yaml-syntax` diagnostic, not a stack trace.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { rules } from './checker';
import type { DocumentContext } from './checker';
import { Compiler } from './compile';
import { countErrors, formatDiagnostic, type Diagnostic } from './diagnostics';
import { substituteGlobals } from './globals';
import type { CompiledMachine, JsonValue } from './model';
import { MachineSource } from './source';
import { validateMachine } from './validate';

export interface CheckResult {
  /** Present when the file compiled (it may still carry checker errors: look at diagnostics). */
  machine?: CompiledMachine;
  diagnostics: Diagnostic[];
}

function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return ds.sort((a, b) => a.line - b.line || a.column - b.column || a.code.localeCompare(b.code));
}

/** Loads and checks a machine from its bytes; `file` is the name used in diagnostics. */
export function checkMachineSource(file: string, bytes: Buffer | string): CheckResult {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  const sha256 = createHash('sha256').update(buf).digest('hex');
  const src = new MachineSource(file, buf.toString('utf8'));
  const parseErrors = src.parseDiagnostics();
  if (parseErrors.length) return { diagnostics: parseErrors };
  const data = src.doc.toJS({ maxAliasCount: 100 }) as JsonValue;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { diagnostics: [src.diag('error', 'wrong-type', 'a machine file is a mapping with machine, version, globals, intents and states.', [])] };
  }
  const globals = (data as Record<string, JsonValue>).globals ?? null;
  const { value, refs } = substituteGlobals(data, globals);
  const docCtx: DocumentContext = { src, refs, globals };
  const diagnostics: Diagnostic[] = [];
  for (const r of rules) if (r.phase === 'document') diagnostics.push(...r.run(docCtx));
  const validated = validateMachine(src, value, refs);
  diagnostics.push(...validated.diagnostics);
  if (!validated.top || countErrors(diagnostics) > 0) return { diagnostics: sortDiagnostics(diagnostics) };
  const compiler = new Compiler(src, refs);
  const machine = compiler.machine(validated.top, validated.states, sha256);
  diagnostics.push(...compiler.diagnostics);
  for (const r of rules) if (r.phase === 'machine') diagnostics.push(...r.run({ ...docCtx, machine }));
  return { machine, diagnostics: sortDiagnostics(diagnostics) };
}

/** Reads and checks a file. Throws only when the file cannot be read (the CLI's exit 2). */
export function checkMachineFile(file: string): CheckResult {
  return checkMachineSource(file, fs.readFileSync(file));
}

export class MachineLoadError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(`machine has ${countErrors(diagnostics)} error(s):\n${diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic).join('\n')}`);
    this.name = 'MachineLoadError';
  }
}

/** The machine for running: throws MachineLoadError (with every diagnostic) when it has any error. */
export function loadMachine(file: string): CompiledMachine {
  const r = checkMachineFile(file);
  if (!r.machine || countErrors(r.diagnostics) > 0) throw new MachineLoadError(r.diagnostics);
  return r.machine;
}
