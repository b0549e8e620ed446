/**
 * A parsed YAML machine file that remembers where every node came from, so diagnostics can say file:line:column.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { Diagnostic, DocPath, Severity } from './diagnostics';
import { formatDocPath } from './diagnostics';

export interface Position {
  line: number;
  column: number;
}

export class MachineSource {
  readonly doc: Document.Parsed;
  private readonly lines = new LineCounter();

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.doc = parseDocument(text, {
      lineCounter: this.lines,
      keepSourceTokens: true,
      prettyErrors: false,
      uniqueKeys: true,
    });
  }

  /** Syntax errors of the YAML itself (file:line:col, no stack trace). */
  parseDiagnostics(): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const e of this.doc.errors) {
      const pos = e.linePos?.[0] ?? this.pos(e.pos[0]);
      const first = e.message.split('\n')[0] ?? e.message;
      out.push({
        severity: 'error',
        code: 'yaml-syntax',
        message: `${first.replace(/ at line \d+, column \d+:?$/, '')} (YAML ${e.code})`,
        file: this.file,
        line: pos.line,
        column: pos.col,
      });
    }
    return out;
  }

  private pos(offset: number): { line: number; col: number } {
    return this.lines.linePos(offset);
  }

  /** The node at `path`, with the pair holding it (for key positions). */
  private find(path: DocPath): { node?: Node | null; keyNode?: Node | null; depth: number } {
    let node: unknown = this.doc.contents;
    let keyNode: Node | null | undefined;
    let depth = 0;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
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
