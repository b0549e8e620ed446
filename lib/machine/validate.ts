/**
 * Runs the zod schemas over the substituted document and turns zod issues into diagnostics placed on the YAML:
 * unknown-key (on the key), missing-field (on the object that lacks it), wrong-type, invalid-value.
 */
import type { z } from 'zod';
import type { Diagnostic, DocPath } from './diagnostics';
import { didYouMean } from './diagnostics';
import type { GlobalRef } from './globals';
import type { JsonValue } from './model';
import { machineTopSchema, stateSchemas, stateTypeNames, type RawMachineTop, type RawState } from './schema';
import type { MachineSource } from './source';

function valueAt(data: unknown, path: DocPath): unknown {
  let v: unknown = data;
  for (const s of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[s];
  }
  return v;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text '${v.length > 40 ? v.slice(0, 40) + '…' : v}'`;
  return `${typeof v} ${String(v)}`;
}

/** Known keys of an object schema (unwrapping optional/default/pipe wrappers), for "Did you mean". */
function shapeKeys(schema: z.ZodType | undefined): string[] {
  let s: unknown = schema;
  for (let i = 0; i < 6 && s; i++) {
    const def = (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return [];
    if (def.type === 'object') return Object.keys((def.shape as Record<string, unknown>) ?? {});
    s = def.innerType ?? def.in ?? def.schema;
  }
  return [];
}

function schemaAt(root: z.ZodType, path: DocPath): z.ZodType | undefined {
  let s: unknown = root;
  for (const seg of path) {
    for (let i = 0; i < 6 && s; i++) {
      const def = (s as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
      if (!def) return undefined;
      if (def.type === 'object') {
        s = (def.shape as Record<string, unknown>)[String(seg)];
        break;
      }
      if (def.type === 'array') {
        s = def.element;
        break;
      }
      if (def.type === 'record') {
        s = def.valueType;
        break;
      }
      s = def.innerType ?? def.in ?? def.schema;
    }
  }
  return s as z.ZodType | undefined;
}

function issuesToDiagnostics(
  src: MachineSource,
  issues: z.core.$ZodIssue[],
  schema: z.ZodType,
  data: unknown,
  prefix: DocPath,
  skip: (path: DocPath) => boolean,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const rel = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const path = [...prefix, ...rel];
    if (skip(path)) continue;
    // Inside a state the diagnostic already names the state: say the key path relative to it.
    const shown = prefix[0] === 'states' ? rel : path;
    const where = shown.length ? shown.map((x, i) => (typeof x === 'number' ? `[${x}]` : i ? `.${x}` : x)).join('') : prefix[0] === 'states' ? 'the state' : 'the file';
    if (issue.code === 'unrecognized_keys') {
      const known = shapeKeys(schemaAt(schema, rel));
      for (const key of issue.keys) {
        out.push(
          src.diag('error', 'unknown-key', `unknown key '${key}' in ${where}.${didYouMean(key, known)}`, [...path, key], {
            key: true,
          }),
        );
      }
      continue;
    }
    const value = valueAt(data, rel);
    if (issue.code === 'invalid_type' && value === undefined) {
      const field = rel[rel.length - 1];
      const parent = shown.slice(0, -1);
      const inWhat = parent.length ? ` in ${parent.map((x, i) => (typeof x === 'number' ? `[${x}]` : i ? `.${x}` : x)).join('')}` : '';
      out.push(src.diag('error', 'missing-field', `missing field '${String(field)}'${inWhat} (${issue.expected} expected).`, path));
      continue;
    }
    if (issue.code === 'invalid_type') {
      out.push(src.diag('error', 'wrong-type', `${where} must be ${issue.expected === 'record' ? 'object' : issue.expected}, not ${describe(value)}.`, path));
      continue;
    }
    const msg = issue.code === 'invalid_union' ? `${where} has no valid form here (${describe(value)}).` : `${where}: ${issue.message}.`;
    out.push(src.diag('error', 'invalid-value', msg.replace(/\.\.$/, '.'), path));
  }
  return out;
}

export interface Validated {
  top?: RawMachineTop;
  states: Record<string, RawState>;
  diagnostics: Diagnostic[];
}

export function validateMachine(src: MachineSource, data: JsonValue, refs: GlobalRef[]): Validated {
  // A value holding an unresolved ${globals.x} is already reported by unknown-global; don't pile a type error on it.
  const unresolved = new Set(refs.filter((r) => !r.resolved).map((r) => r.at.join('\u0000')));
  const skip = (path: DocPath): boolean => unresolved.has(path.join('\u0000'));
  const diagnostics: Diagnostic[] = [];
  const states: Record<string, RawState> = {};
  const topResult = machineTopSchema.safeParse(data);
  if (!topResult.success) diagnostics.push(...issuesToDiagnostics(src, topResult.error.issues, machineTopSchema, data, [], skip));
  const rawStates = valueAt(data, ['states']);
  if (rawStates !== null && typeof rawStates === 'object' && !Array.isArray(rawStates)) {
    for (const [name, raw] of Object.entries(rawStates as Record<string, unknown>)) {
      const at: DocPath = ['states', name];
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        diagnostics.push(src.diag('error', 'wrong-type', `a state is a mapping with a 'type', not ${describe(raw)}.`, at));
        continue;
      }
      const type = (raw as Record<string, unknown>).type;
      if (typeof type !== 'string' || !(stateTypeNames as string[]).includes(type)) {
        const msg =
          type === undefined
            ? `missing field 'type' (one of ${stateTypeNames.join(', ')}).`
            : `type ${describe(type)} is not a state type: use one of ${stateTypeNames.join(', ')}.${typeof type === 'string' ? didYouMean(type, stateTypeNames) : ''}`;
        diagnostics.push(src.diag('error', type === undefined ? 'missing-field' : 'invalid-value', msg, type === undefined ? at : [...at, 'type']));
        continue;
      }
      const schema = stateSchemas[type as keyof typeof stateSchemas];
      const r = schema.safeParse(raw);
      if (r.success) states[name] = r.data;
      else diagnostics.push(...issuesToDiagnostics(src, r.error.issues, schema, raw, at, skip));
    }
  }
  return { top: topResult.success ? topResult.data : undefined, states, diagnostics };
}
