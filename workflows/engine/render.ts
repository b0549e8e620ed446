/**
 * Template rendering and value evaluation over the three scopes a machine can read: `ctx` (the session context),
 * `resp` (the body of the action response being handled) and `globals` (the machine's globals).
 * Pure and total: a missing value renders as the empty string and never throws.
 */
import type { JsonValue, Operand, Template, TemplateNode, ValueExpr, ValuePath } from '../../lib/machine/model';

export interface Scope {
  ctx: { [key: string]: JsonValue };
  resp?: JsonValue;
  globals: { [key: string]: JsonValue };
}

/** Value at `path` (first segment is the scope name), or undefined when any step is missing. */
export function lookup(scope: Scope, path: ValuePath): JsonValue | undefined {
  const [root, ...rest] = path;
  let cur: JsonValue | undefined;
  if (root === 'ctx') cur = scope.ctx;
  else if (root === 'resp') cur = scope.resp;
  else if (root === 'globals') cur = scope.globals;
  else return undefined;
  for (const seg of rest) {
    if (cur === null || cur === undefined) return undefined;
    if (Array.isArray(cur)) {
      const i = typeof seg === 'number' ? seg : /^\d+$/.test(seg) ? Number(seg) : NaN;
      cur = Number.isInteger(i) ? cur[i] : undefined;
    } else if (typeof cur === 'object') {
      // Own keys only: a path must never reach Object.prototype.
      const key = String(seg);
      cur = Object.prototype.hasOwnProperty.call(cur, key) ? cur[key] : undefined;
    } else {
      return undefined;
    }
  }
  return cur;
}

/** Text form of a value inside a prompt or a header: missing/null → '', objects → JSON. */
export function toText(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function operandValue(scope: Scope, op: Operand): JsonValue | undefined {
  return op.kind === 'path' ? lookup(scope, op.path) : op.value;
}

/**
 * Equality used by `{{#if a == b}}`: primitives compare by their text form (so 0 == "0" and a missing value equals
 * ""), arrays and objects by their JSON.
 */
export function looseEquals(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  const composite = (v: JsonValue | undefined) => v !== null && typeof v === 'object';
  if (composite(a) || composite(b)) return JSON.stringify(a) === JSON.stringify(b);
  return toText(a) === toText(b);
}

/** Truthiness used by `{{#if a}}`: missing, null, false, 0, "", [] and {} are false. */
export function truthy(v: JsonValue | undefined): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function renderNodes(nodes: TemplateNode[], scope: Scope): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'expr') out += toText(lookup(scope, node.path));
    else {
      const left = operandValue(scope, node.left);
      let cond: boolean;
      if (node.op === undefined || node.right === undefined) cond = truthy(left);
      else {
        const eq = looseEquals(left, operandValue(scope, node.right));
        cond = node.op === '==' ? eq : !eq;
      }
      out += renderNodes(cond ? node.then : node.else, scope);
    }
  }
  return out;
}

export function render(template: Template, scope: Scope): string {
  return renderNodes(template.nodes, scope);
}

/** A rendered prompt as it is spoken: YAML folding and `{{#if}}` blocks leave runs of blanks, collapse them. */
export function renderPrompt(template: Template | undefined, scope: Scope): string {
  if (!template) return '';
  return render(template, scope).replace(/\s+/g, ' ').trim();
}

/**
 * Value of a `set`/`body`/`query`/`path`/`headers` entry. A template that is exactly one `{{expr}}` yields the raw
 * value (an array stays an array; missing → null, since JSON has no undefined); any other template yields text.
 * Blank text around the single expression is ignored.
 */
export function evaluate(expr: ValueExpr, scope: Scope): JsonValue {
  if (expr.kind === 'literal') return expr.value;
  // Blank text around the expression (a folded YAML scalar ends with a newline) does not make it a string.
  const nodes = expr.template.nodes.filter((n) => !(n.kind === 'text' && n.text.trim() === ''));
  const only = nodes.length === 1 ? nodes[0] : undefined;
  if (only && only.kind === 'expr') {
    const v = lookup(scope, only.path);
    return v === undefined ? null : v;
  }
  return render(expr.template, scope);
}

export function evaluateAll(assignments: Record<string, ValueExpr>, scope: Scope): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const [key, expr] of Object.entries(assignments)) out[key] = evaluate(expr, scope);
  return out;
}
