/** Diagnostics of the machine loader and checker: what, where (file:line:column, state, YAML path), how bad. */

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** Stable identifier of the rule, e.g. `unknown-state` (machines/README.md lists them). */
  code: string;
  message: string;
  file: string;
  line: number;
  column: number;
  /** State the problem is in, when there is one. */
  state?: string;
  /** JSON-pointer-like path inside the YAML, e.g. `/states/ivr.entry/routes/0/next`. */
  path?: string;
}

/** A path inside the YAML document: map keys and sequence indexes. */
export type DocPath = (string | number)[];

export function formatDocPath(path: DocPath): string {
  return path.length === 0 ? '/' : path.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** `machines/x.yaml:12:5: error [unknown-state] state 'ivr.a': next 'ivr.b' names no state.` */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.state ? `state '${d.state}': ` : '';
  return `${d.file}:${d.line}:${d.column}: ${d.severity} [${d.code}] ${where}${d.message}`;
}

export function countErrors(ds: Diagnostic[]): number {
  return ds.filter((d) => d.severity === 'error').length;
}

/** Levenshtein distance, or `bound + 1` as soon as it is sure to exceed `bound` (most candidates are far off). */
function distance(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) > bound) return bound + 1;
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number;
      prev[j] = Math.min((prev[j] as number) + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
      if ((prev[j] as number) < rowMin) rowMin = prev[j] as number;
    }
    if (rowMin > bound) return bound + 1;
  }
  return prev[b.length] as number;
}

/** ` Did you mean 'x'?` when a candidate is close enough, else ''. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestD = limit + 1;
  for (const c of candidates) {
    // Only a strictly closer candidate can replace the best one: the bound shrinks as better ones are found.
    const d = distance(name, c, bestD - 1);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined || bestD > limit) return '';
  return ` Did you mean '${best}'?`;
}

/**
 * didYouMean for a rule that may report thousands of names (a renamed prefix across a big machine): suggestions
 * stop after `max` lookups, so the hint never makes the check quadratic.
 */
export function suggester(candidates: string[], max = 200): (name: string) => string {
  let left = max;
  const memo = new Map<string, string>();
  return (name) => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    if (left <= 0) return '';
    left--;
    const hint = didYouMean(name, candidates);
    memo.set(name, hint);
    return hint;
  };
}
