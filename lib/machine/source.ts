/**
 * A parsed YAML machine file that remembers where every node came from, so diagnostics can say file:line:column.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Diagnostic, DocPath, Severity } from './diagnostics';
import { formatDocPath } from './diagnostics';

export interface Position {
  line: number;
  column: number;
}

export class MachineSource {
  readonly doc: Document.Parsed;
  private readonly lines = new LineCounter();
  /** Pairs of each mapping by key, built on first lookup: a diagnostic per state must not scan all the states. */
  private readonly keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.doc = parseDocument(text, {
      lineCounter: this.lines,
      keepSourceTokens: true,
      prettyErrors: false,
      // The parser's own duplicate-key check compares each key with every earlier one (quadratic in the number of
      // states); duplicateKeys() does the same check with one Set per mapping.
      uniqueKeys: false,
    });
  }

  /** Syntax errors of the YAML itself (file:line:col, no stack trace). */
  parseDiagnostics(): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const e of this.doc.errors) {
      const pos = e.linePos?.[0] ?? this.pos(e.pos[0]);
      const first = e.message.split('\n')[0] ?? e.message;
      if (e.code === 'RESOURCE_EXHAUSTION' && /call stack/i.test(first)) {
        // The parser follows nesting by recursion; a machine needs a handful of levels, this file has thousands.
        out.push({
          severity: 'error',
          code: 'yaml-too-deep',
          message: 'collections nest deeper than the YAML parser can follow (it ran out of stack here): a machine needs a few levels of nesting only.',
          file: this.file,
          line: pos.line,
          column: pos.col,
        });
        break;
      }
      out.push({
        severity: 'error',
        code: 'yaml-syntax',
        message: `${first.replace(/ at line \d+, column \d+:?$/, '')} (YAML ${e.code})`,
        file: this.file,
        line: pos.line,
        column: pos.col,
      });
    }
    if (!out.length) out.push(...this.duplicateKeys());
    return out;
  }

  /** Position of the first alias (`*name`) in the document, for the alias-bomb diagnostic. */
  firstAlias(): Position {
    let offset: number | undefined;
    const todo: unknown[] = [this.doc.contents];
    while (todo.length) {
      const node = todo.pop();
      if (isAlias(node)) {
        const at = node.range?.[0];
        if (at !== undefined && (offset === undefined || at < offset)) offset = at;
      } else if (isMap(node)) for (const p of node.items) todo.push(p.key, p.value);
      else if (isSeq(node)) todo.push(...node.items);
    }
    const p = this.pos(offset ?? 0);
    return { line: p.line, column: p.col };
  }

  /** A key written twice in one mapping, reported as the YAML parser would (DUPLICATE_KEY at the second key). */
  private duplicateKeys(): Diagnostic[] {
    const out: Diagnostic[] = [];
    const todo: unknown[] = [this.doc.contents];
    while (todo.length) {
      const node = todo.pop();
      if (isMap(node)) {
        const seen = new Set<string>();
        for (const p of node.items) {
          if (isScalar(p.key)) {
            const id = `${typeof p.key.value}:${String(p.key.value)}`;
            if (seen.has(id)) {
              const pos = this.pos(p.key.range?.[0] ?? 0);
              out.push({ severity: 'error', code: 'yaml-syntax', message: 'Map keys must be unique (YAML DUPLICATE_KEY)', file: this.file, line: pos.line, column: pos.col });
            }
            seen.add(id);
          }
          todo.push(p.key, p.value);
        }
      } else if (isSeq(node)) todo.push(...node.items);
    }
    return out.sort((a, b) => a.line - b.line || a.column - b.column);
  }

  private pos(offset: number): { line: number; col: number } {
    return this.lines.linePos(offset);
  }

  private pairs(map: YAMLMap): Map<string, Pair> {
    let index = this.keyIndex.get(map);
    if (!index) {
      index = new Map();
      for (const p of map.items) {
        // The first pair wins, as a linear search would find it (duplicates are a YAML error anyway).
        if (isPair(p) && isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
      }
      this.keyIndex.set(map, index);
    }
    return index;
  }

  /** The node at `path`, with the pair holding it (for key positions). */
  private find(path: DocPath): { node?: Node | null; keyNode?: Node | null; depth: number } {
    let node: unknown = this.doc.contents;
    let keyNode: Node | null | undefined;
    let depth = 0;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = this.pairs(node).get(String(seg));
        if (!pair) break;
        keyNode = pair.key as Node;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) break;
        keyNode = undefined;
        node = item;
      } else break;
      depth++;
    }
    return { node: node as Node | null, keyNode, depth };
  }

  /** True when the document has a node at `path`. */
  has(path: DocPath): boolean {
    return this.find(path).depth === path.length;
  }

  /**
   * Position of the value at `path` (or of its key with `key: true`). A path that does not exist points at its
   * deepest existing ancestor (e.g. a missing field points at the object that lacks it).
   */
  at(path: DocPath, opts: { key?: boolean } = {}): Position {
    const { node, keyNode, depth } = this.find(path);
    const target = opts.key && depth === path.length && keyNode ? keyNode : node;
    const offset = target?.range?.[0] ?? keyNode?.range?.[0] ?? 0;
    const p = this.pos(offset);
    return { line: p.line, column: p.col };
  }

  /**
   * Position of `needle` as written inside the scalar at `path` (e.g. `ctx.item_id` inside a folded prompt), so a
   * diagnostic can point at the expression itself; the scalar's start when it is not found verbatim.
   */
  findText(path: DocPath, needle: string): Position {
    const { node, depth } = this.find(path);
    const range = depth === path.length ? node?.range : undefined;
    if (range && needle) {
      const i = this.text.slice(range[0], range[1]).indexOf(needle);
      if (i >= 0) {
        const p = this.pos(range[0] + i);
        return { line: p.line, column: p.col };
      }
    }
    return this.at(path);
  }

  diag(
    severity: Severity,
    code: string,
    message: string,
    path: DocPath,
    opts: { state?: string; key?: boolean; text?: string } = {},
  ): Diagnostic {
    const p = opts.text !== undefined ? this.findText(path, opts.text) : this.at(path, opts);
    const d: Diagnostic = { severity, code, message, file: this.file, line: p.line, column: p.column, path: formatDocPath(path) };
    const state = opts.state ?? (path[0] === 'states' && typeof path[1] === 'string' ? path[1] : undefined);
    if (state !== undefined) d.state = state;
    return d;
  }
}
