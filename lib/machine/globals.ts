/**
 * `${globals.a.b}` substitution, done once at load. A string that is exactly one reference takes the referenced
 * value as is (a number stays a number: `max: ${globals.max_retries}`); a reference inside longer text is
 * interpolated. The `globals` block itself is not substituted. Unresolved references are left in place and
 * reported by the checker rules unknown-global / unknown-endpoint.
 */
import type { JsonValue } from './model';
import type { DocPath } from './diagnostics';

export interface GlobalRef {
  /** Where the reference is written. */
  at: DocPath;
  /** `['endpoints','verify_otp']` for `${globals.endpoints.verify_otp}`. */
  key: string[];
  /** The text between `${` and `}`. */
  text: string;
  resolved: boolean;
  /** The string was exactly this one reference. */
  whole: boolean;
}

const REF_RE = /\$\{([^}]*)\}/g;

function lookup(globals: JsonValue, key: string[]): { found: boolean; value?: JsonValue } {
  let v: JsonValue | undefined = globals;
  for (const k of key) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !(k in v)) return { found: false };
    v = (v as { [key: string]: JsonValue })[k];
  }
  return { found: true, value: v as JsonValue };
}

function parseRef(text: string): string[] | undefined {
  const t = text.trim();
  if (!/^globals(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(t)) return undefined;
  return t.split('.').slice(1);
}

export function substituteGlobals(data: JsonValue, globals: JsonValue): { value: JsonValue; refs: GlobalRef[] } {
  const refs: GlobalRef[] = [];
  const walk = (v: JsonValue, at: DocPath): JsonValue => {
    if (typeof v === 'string') return substituteString(v, at);
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...at, i]));
    if (v !== null && typeof v === 'object') {
      const out: { [key: string]: JsonValue } = {};
      for (const [k, x] of Object.entries(v)) out[k] = at.length === 0 && k === 'globals' ? x : walk(x, [...at, k]);
      return out;
    }
    return v;
  };
  const substituteString = (s: string, at: DocPath): JsonValue => {
    const matches = [...s.matchAll(REF_RE)];
    if (matches.length === 0) return s;
    const whole = matches.length === 1 && (matches[0] as RegExpMatchArray)[0] === s;
    let result: JsonValue = s;
    let text = s;
    for (const m of matches) {
      const inner = m[1] ?? '';
      const key = parseRef(inner);
      const found = key ? lookup(globals, key) : { found: false };
      refs.push({ at, key: key ?? [], text: inner, resolved: found.found, whole });
      if (!found.found) continue;
      if (whole) result = found.value as JsonValue;
      else text = text.replace(m[0], found.value !== null && typeof found.value === 'object' ? JSON.stringify(found.value) : String(found.value));
    }
    return whole ? result : text;
  };
  return { value: walk(data, []), refs };
}
