/**
 * Odoo domain evaluation over the simulator's records: Polish-notation `&`, `|`, `!` with implicit `&`,
 * the comparison operators of the ORM, dotted paths through relations, x2many membership, `child_of`, the
 * search-only `phone_mobile_search`, and Odoo's NULL rules (`!=` and `not ilike` also match empty values).
 */
import { valueError } from './exceptions';
import type { FieldDef, OdooVersion } from './models';
import { leafRepr, pyRepr } from './pyrepr';

export type RecordValues = Record<string, unknown>;

/** What the evaluator needs from the store. */
export interface DomainStore {
  version: OdooVersion;
  fieldsOf(model: string): Record<string, FieldDef>;
  get(model: string, id: number): RecordValues | undefined;
  ids(model: string): number[];
  displayName(model: string, id: number): string;
  /** ids of `relation` records whose `inverse` many2one points at `id`. */
  inverseIds(relation: string, inverse: string, id: number): number[];
}

const OPERATORS = new Set([
  '=', '!=', '<>', '<', '<=', '>', '>=', 'in', 'not in', 'like', 'ilike', 'not like', 'not ilike', '=like', '=ilike', 'child_of', 'parent_of',
]);
const NEGATIVE = new Set(['!=', '<>', 'not in', 'not like', 'not ilike']);

type Node =
  | { kind: 'and' | 'or'; children: [Node, Node] }
  | { kind: 'not'; child: Node }
  | { kind: 'leaf'; leaf: [string, string, unknown] }
  | { kind: 'const'; value: boolean };

function invalidDomain(domain: unknown): never {
  throw valueError(`Invalid domain: ${pyRepr(domain)}`);
}

/** Parses a domain into a tree (implicit `&` between top-level terms) or raises like Odoo on a malformed one. */
export function parseDomain(domain: unknown): Node {
  if (!Array.isArray(domain)) invalidDomain(domain);
  const items = domain as unknown[];
  let pos = 0;
  const next = (): Node => {
    if (pos >= items.length) invalidDomain(domain);
    const it = items[pos++];
    if (it === '&' || it === '|') return { kind: it === '&' ? 'and' : 'or', children: [next(), next()] };
    if (it === '!') return { kind: 'not', child: next() };
    if (Array.isArray(it) && it.length === 3) {
      const [f, op, v] = it as [unknown, unknown, unknown];
      // the constant leaves Odoo writes for TRUE/FALSE
      if (f === 1 && op === '=' && v === 1) return { kind: 'const', value: true };
      if (f === 0 && op === '=' && v === 1) return { kind: 'const', value: false };
      if (typeof f !== 'string' || typeof op !== 'string' || !OPERATORS.has(op.toLowerCase())) {
        throw valueError(`Invalid leaf ${leafRepr(it)}`);
      }
      return { kind: 'leaf', leaf: [f, op.toLowerCase(), v] };
    }
    throw valueError(`Invalid leaf ${pyRepr(it)}`);
  };
  const terms: Node[] = [];
  while (pos < items.length) terms.push(next());
  if (terms.length === 0) return { kind: 'const', value: true };
  return terms.reduce((acc, n) => ({ kind: 'and', children: [acc, n] }));
}

/** Fields named by the domain's leaves (first path segment), to know whether `active` is constrained. */
export function domainMentions(node: Node, field: string): boolean {
  switch (node.kind) {
    case 'leaf': return node.leaf[0].split('.')[0] === field;
    case 'not': return domainMentions(node.child, field);
    case 'and': case 'or': return node.children.some((c) => domainMentions(c, field));
    default: return false;
  }
}

const isEmpty = (v: unknown) => v === false || v === null || v === undefined || (Array.isArray(v) && v.length === 0);

function likeToRegExp(pattern: string, anchored: boolean, caseInsensitive: boolean): RegExp {
  let re = '';
  for (const ch of pattern) {
    if (ch === '%') re += '.*';
    else if (ch === '_') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(anchored ? `^${re}$` : re, caseInsensitive ? 'is' : 's');
}

function compareScalar(actual: unknown, op: string, value: unknown): boolean {
  switch (op) {
    case '=':
      if (value === false || value === null) return isEmpty(actual);
      return actual === value;
    case '!=': case '<>':
      if (value === false || value === null) return !isEmpty(actual);
      return actual !== value;
    case 'in': case 'not in': {
      const list = Array.isArray(value) ? value : [value];
      const hit = list.some((x) => (x === false || x === null ? isEmpty(actual) : actual === x));
      return op === 'in' ? hit : !hit;
    }
    case '<': case '<=': case '>': case '>=': {
      if (isEmpty(actual) || value === false || value === null) return false;
      const a = actual as number | string;
      const b = value as number | string;
      return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
    }
    case 'like': case 'ilike': case 'not like': case 'not ilike': case '=like': case '=ilike': {
      const negative = op.startsWith('not');
      if (isEmpty(actual)) return negative;
      const anchored = op.startsWith('=');
      const ci = op.includes('ilike');
      const pat = String(value ?? '');
      const hit = likeToRegExp(pat, anchored, ci).test(String(actual));
      return negative ? !hit : hit;
    }
    default:
      return false;
  }
}

export class DomainEvaluator {
  constructor(private readonly store: DomainStore) {}

  private fieldOrFail(model: string, name: string, leaf: readonly unknown[]): FieldDef {
    const f = this.store.fieldsOf(model)[name];
    if (!f) {
      const word = this.store.version >= 19 ? 'condition' : 'leaf';
      throw valueError(`Invalid field ${model}.${name} in ${word} ${leafRepr(leaf)}`);
    }
    return f;
  }

  /** Validates every leaf up front so a bad field fails even when there are no records. */
  check(model: string, node: Node): void {
    if (node.kind === 'leaf') {
      const [path] = node.leaf;
      let m = model;
      for (const seg of path.split('.')) {
        const f = this.fieldOrFail(m, seg, node.leaf);
        if (f.relation) m = f.relation;
      }
    } else if (node.kind === 'not') this.check(model, node.child);
    else if (node.kind === 'and' || node.kind === 'or') node.children.forEach((c) => this.check(model, c));
  }

  matches(model: string, id: number, node: Node): boolean {
    switch (node.kind) {
      case 'const': return node.value;
      case 'not': return !this.matches(model, id, node.child);
      case 'and': return this.matches(model, id, node.children[0]) && this.matches(model, id, node.children[1]);
      case 'or': return this.matches(model, id, node.children[0]) || this.matches(model, id, node.children[1]);
      case 'leaf': return this.leaf(model, id, node.leaf, node.leaf);
    }
  }

  private relatedIds(model: string, id: number, fname: string, f: FieldDef): number[] {
    const rec = this.store.get(model, id);
    if (!rec) return [];
    if (f.type === 'many2one') return typeof rec[fname] === 'number' ? [rec[fname] as number] : [];
    if (f.type === 'one2many') return this.store.inverseIds(f.relation!, f.inverse!, id);
    return Array.isArray(rec[fname]) ? (rec[fname] as number[]) : [];
  }

  private leaf(model: string, id: number, leaf: [string, string, unknown], original: readonly unknown[]): boolean {
    const [path, op, value] = leaf;
    const [head, ...rest] = path.split('.');
    const f = this.fieldOrFail(model, head!, original);
    const rec = this.store.get(model, id);
    if (!rec) return false;

    if (rest.length > 0) {
      const ids = this.relatedIds(model, id, head!, f);
      const sub: [string, string, unknown] = [rest.join('.'), op, value];
      if (NEGATIVE.has(op)) {
        // Odoo: a negative operator through a relation is "no related record matches the positive form"
        const positive = op === 'not in' ? 'in' : op === 'not like' ? 'like' : op === 'not ilike' ? 'ilike' : '=';
        return !ids.some((rid) => this.leaf(f.relation!, rid, [rest.join('.'), positive, value], original));
      }
      return ids.some((rid) => this.leaf(f.relation!, rid, sub, original));
    }


    if (op === 'child_of' || op === 'parent_of') {
      const roots = (Array.isArray(value) ? value : [value]).filter((x): x is number => typeof x === 'number');
      const target = head !== 'id' && f.type === 'many2one' ? (typeof rec[head!] === 'number' ? (rec[head!] as number) : undefined) : id;
      if (target === undefined) return false;
      return roots.some((r) => (op === 'child_of' ? this.isDescendant(model, target, r) : this.isDescendant(model, r, target)));
    }

    if (head === 'phone_mobile_search') return this.phoneSearch(model, rec, op, value);
    if (head === 'id') return compareScalar(id, op, value);

    if (f.type === 'many2one' || f.type === 'many2many' || f.type === 'one2many') {
      const ids = this.relatedIds(model, id, head!, f);
      if (typeof value === 'string' || (op.includes('like'))) {
        // text against a relation compares the related records' display names
        const names = ids.map((rid) => this.store.displayName(f.relation!, rid));
        const negative = NEGATIVE.has(op);
        const pos = negative ? (op === '!=' || op === '<>' ? '=' : op.replace('not ', '')) : op;
        const hit = names.some((n) => compareScalar(n, pos, value));
        return negative ? !hit : hit;
      }
      if (value === false || value === null) {
        return op === '=' || op === 'in' ? ids.length === 0 : op === '!=' || op === '<>' || op === 'not in' ? ids.length > 0 : false;
      }
      const wanted = (Array.isArray(value) ? value : [value]) as unknown[];
      const hit = ids.some((x) => wanted.includes(x)) || (wanted.includes(false) && ids.length === 0);
      if (op === '=' || op === 'in') return hit;
      if (op === '!=' || op === '<>' || op === 'not in') return !hit;
      if (f.type === 'many2one') return compareScalar(ids[0] ?? false, op, value);
      return false;
    }

    return compareScalar(rec[head!] ?? false, op, value);
  }

  private isDescendant(model: string, id: number, root: number): boolean {
    const seen = new Set<number>();
    let cur: number | undefined = id;
    while (cur !== undefined && !seen.has(cur)) {
      if (cur === root) return true;
      seen.add(cur);
      const parent: unknown = this.store.get(model, cur)?.parent_id;
      cur = typeof parent === 'number' ? parent : undefined;
    }
    return false;
  }

  /**
   * `phone_mobile_search` as the phone mixin computes it: separators stripped from each stored number, then
   * an international input (`+`/`00`) matches either prefix, a national input matches as a substring. A number
   * stored in national form ("06 12 …") is therefore NOT found by "+336…" — the reason callers search all forms.
   */
  private phoneSearch(model: string, rec: RecordValues, op: string, value: unknown): boolean {
    const fields = ['mobile', 'phone'].filter((n) => this.store.fieldsOf(model)[n]);
    const strip = (s: string) => s.replace(/[\s\\./()-]/g, '');
    if (typeof value !== 'string' || value.trim() === '') return false;
    const v = value.trim();
    const stored = fields.map((n) => rec[n]).filter((x): x is string => typeof x === 'string' && x !== '').map(strip);
    const negative = NEGATIVE.has(op);
    const positive = negative ? (op === '!=' ? '=' : op.replace('not ', '')) : op;
    const likeOp = positive === 'ilike' || positive === 'like' || positive === '=like' || positive === '=ilike';
    let hit: boolean;
    if (v.startsWith('+') || v.startsWith('00')) {
      const term = strip(v.slice(v.startsWith('+') ? 1 : 2));
      hit = stored.some((s) => (likeOp ? s.startsWith(`00${term}`) || s.startsWith(`+${term}`) : s === `00${term}` || s === `+${term}`));
    } else {
      const term = strip(v);
      hit = stored.some((s) => (likeOp ? s.includes(term) : s === term));
    }
    return negative ? !hit : hit;
  }
}
