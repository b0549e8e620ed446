/**
 * Machine loader: YAML file → CompiledMachine (model.ts) plus diagnostics with file:line:column and state.
 * Phases: YAML syntax → `${globals.…}` substitution → zod schema → compile (templates parsed once) → checker rules.
 * Never throws on bad input: malformed YAML is a `yaml-syntax` diagnostic, an oversized file `size-limit`, an alias
 * bomb `yaml-alias-bomb`, nesting too deep for the parser `yaml-too-deep`; not a stack trace, not a read error.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { isMap } from 'yaml';
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

/**
 * Bounds of what the checker reads. A machine is written by people: the shipped ones are a few hundred states and
 * well under 100 KiB. Beyond these the file is refused with a `size-limit` error, not parsed.
 */
export interface CheckLimits {
  maxBytes: number;
  maxStates: number;
  /** Alias expansions allowed per anchor (the YAML library's maxAliasCount): a "billion laughs" file exceeds it. */
  maxAliasCount: number;
}

export const DEFAULT_CHECK_LIMITS: Readonly<CheckLimits> = { maxBytes: 8 * 1024 * 1024, maxStates: 20_000, maxAliasCount: 100 };

function fileDiag(file: string, code: string, message: string, line = 1, column = 1): Diagnostic {
  return { severity: 'error', code, message, file, line, column };
}

function sizeLimit(file: string, bytes: number, limits: CheckLimits): Diagnostic {
  return fileDiag(
    file,
    'size-limit',
    `the file is ${bytes} bytes, over the ${limits.maxBytes}-byte limit of a machine: split it, or check that it is the machine you meant.`,
  );
}

/** Loads and checks a machine from its bytes; `file` is the name used in diagnostics. Never throws. */
export function checkMachineSource(file: string, bytes: Buffer | string, limits: Partial<CheckLimits> = {}): CheckResult {
  const lim = { ...DEFAULT_CHECK_LIMITS, ...limits };
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  if (buf.length > lim.maxBytes) return { diagnostics: [sizeLimit(file, buf.length, lim)] };
  try {
    return check(file, buf, lim);
  } catch (err) {
    // A bug or a limit of the runtime, reported as what it is, where it is: never as a file that cannot be read.
    const e = err instanceof Error ? err : new Error(String(err));
    const what = e instanceof RangeError && /call stack/i.test(e.message) ? 'ran out of stack (nesting or cycle depth)' : `failed (${e.name}: ${e.message})`;
    return { diagnostics: [fileDiag(file, 'checker-failure', `the checker ${what} on this file; the machine is not checked. Please report it with the file.`)] };
  }
}

function check(file: string, buf: Buffer, lim: CheckLimits): CheckResult {
  const sha256 = createHash('sha256').update(buf).digest('hex');
  const src = new MachineSource(file, buf.toString('utf8'));
  const parseErrors = src.parseDiagnostics();
  if (parseErrors.length) return { diagnostics: parseErrors };
  const states = src.doc.get('states');
  const stateCount = isMap(states) ? states.items.length : 0;
  if (stateCount > lim.maxStates) {
    const at = src.at(['states'], { key: true });
    return { diagnostics: [fileDiag(file, 'size-limit', `${stateCount} states, over the limit of ${lim.maxStates} states per machine: split the journey into several machines.`, at.line, at.column)] };
  }
  let data: JsonValue;
  try {
    data = src.doc.toJS({ maxAliasCount: lim.maxAliasCount }) as JsonValue;
  } catch (err) {
    // yaml throws a ReferenceError when aliases expand beyond maxAliasCount (exponential "billion laughs").
    if (!(err instanceof ReferenceError) || !/alias/i.test(err.message)) throw err;
    const at = src.firstAlias();
    return {
      diagnostics: [
        fileDiag(
          file,
          'yaml-alias-bomb',
          `aliases (*name) expand past the limit of ${lim.maxAliasCount} (an alias bomb, as in "billion laughs"): the file is refused. Write the values out, or alias each anchor a few times only.`,
          at.line,
          at.column,
        ),
      ],
    };
  }
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

/**
 * Reads and checks a file. Throws only when the file cannot be read (the CLI's exit 2): a file over the size limit
 * is a `size-limit` diagnostic without being read.
 */
export function checkMachineFile(file: string, limits: Partial<CheckLimits> = {}): CheckResult {
  const lim = { ...DEFAULT_CHECK_LIMITS, ...limits };
  const size = fs.statSync(file).size;
  if (size > lim.maxBytes) return { diagnostics: [sizeLimit(file, size, lim)] };
  return checkMachineSource(file, fs.readFileSync(file), lim);
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
