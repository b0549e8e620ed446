/**
 * Template parsing: `Bonjour {{ctx.name}}{{#if resp.count == 0}}…{{else}}…{{/if}}` → Template AST (see model.ts).
 * Pure (no node imports): the engine's workflow bundle imports it. Rendering is the engine's job.
 */
import type { JsonPrimitive, Operand, Template, TemplateNode, ValuePath } from './model';

export const TEMPLATE_ROOTS = ['ctx', 'resp', 'globals'] as const;

/** A syntax error at `offset` (0-based, in the template source). */
export class TemplateSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'TemplateSyntaxError';
  }
}

export function hasTemplateSyntax(text: string): boolean {
  return text.includes('{{');
}

const PATH_RE = /^([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*)$/;

/** `ctx.slots[2].voice_label` → ['ctx','slots',2,'voice_label']; throws on anything else. */
export function parsePath(text: string, offset = 0): ValuePath {
  const m = PATH_RE.exec(text);
  if (!m) throw new TemplateSyntaxError(`'${text}' is not a path like ctx.x, resp.items[0].id or globals.y`, offset);
  const root = m[1] as string;
  if (!(TEMPLATE_ROOTS as readonly string[]).includes(root)) {
    throw new TemplateSyntaxError(`path '${text}' must start with ctx., resp. or globals.`, offset);
  }
  const path: ValuePath = [root];
  const rest = m[2] ?? '';
  const seg = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]/g;
  let s: RegExpExecArray | null;
  while ((s = seg.exec(rest))) path.push(s[1] !== undefined ? s[1] : Number(s[2]));
  if (path.length < 2) throw new TemplateSyntaxError(`path '${text}' names only its root; say which key`, offset);
  return path;
}

function parseOperand(text: string, offset: number): Operand {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return { kind: 'literal', value: Number(t) };
  if (t === 'true' || t === 'false') return { kind: 'literal', value: t === 'true' };
  if (t === 'null') return { kind: 'literal', value: null };
  const q = /^(["'])(.*)\1$/.exec(t);
  if (q) return { kind: 'literal', value: q[2] as JsonPrimitive };
  return { kind: 'path', path: parsePath(t, offset) };
}

interface Frame {
  node?: Extract<TemplateNode, { kind: 'if' }>;
  inElse: boolean;
  nodes: TemplateNode[];
  openedAt: number;
}

/** Parses a template; throws TemplateSyntaxError with the offset of the faulty tag. */
export function parseTemplate(source: string): Template {
  const root: Frame = { inElse: false, nodes: [], openedAt: 0 };
  const stack: Frame[] = [root];
  const top = (): Frame => stack[stack.length - 1] as Frame;
  const push = (n: TemplateNode): void => {
    const f = top();
    if (f.node) (f.inElse ? f.node.else : f.node.then).push(n);
    else f.nodes.push(n);
  };
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open < 0) {
      push({ kind: 'text', text: source.slice(i) });
      break;
    }
    if (open > i) push({ kind: 'text', text: source.slice(i, open) });
    const close = source.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateSyntaxError("'{{' is never closed with '}}'", open);
    const inner = source.slice(open + 2, close);
    const body = inner.trim();
    const bodyOffset = open + 2 + (inner.length - inner.trimStart().length);
    if (body.startsWith('#if')) {
      const cond = body.slice(3).trim();
      if (!cond) throw new TemplateSyntaxError('{{#if}} needs a condition', open);
      const m = /^(.+?)\s*(==|!=)\s*(.+)$/.exec(cond);
      const node: Extract<TemplateNode, { kind: 'if' }> = m
        ? {
            kind: 'if',
            left: parseOperand(m[1] as string, bodyOffset),
            op: m[2] as '==' | '!=',
            right: parseOperand(m[3] as string, bodyOffset),
            then: [],
            else: [],
          }
        : { kind: 'if', left: parseOperand(cond, bodyOffset), then: [], else: [] };
      push(node);
      stack.push({ node, inElse: false, nodes: [], openedAt: open });
    } else if (body === 'else') {
      const f = top();
      if (!f.node) throw new TemplateSyntaxError('{{else}} outside an {{#if}}', open);
      if (f.inElse) throw new TemplateSyntaxError('second {{else}} in one {{#if}}', open);
      f.inElse = true;
    } else if (body === '/if') {
      if (!top().node) throw new TemplateSyntaxError('{{/if}} with no open {{#if}}', open);
      stack.pop();
    } else if (body.startsWith('#') || body.startsWith('/')) {
      throw new TemplateSyntaxError(`unknown block '{{${body}}}': only {{#if}}, {{else}} and {{/if}} exist`, open);
    } else {
      if (!body) throw new TemplateSyntaxError('empty {{ }}', open);
      push({ kind: 'expr', path: parsePath(body, bodyOffset) });
    }
    i = close + 2;
  }
  if (stack.length > 1) throw new TemplateSyntaxError('{{#if}} is never closed with {{/if}}', top().openedAt);
  return { source, nodes: root.nodes };
}

/** Every path a template reads (expressions and conditions), in order. */
export function templatePaths(t: Template): ValuePath[] {
  const out: ValuePath[] = [];
  const walk = (nodes: TemplateNode[]): void => {
    for (const n of nodes) {
      if (n.kind === 'expr') out.push(n.path);
      else if (n.kind === 'if') {
        if (n.left.kind === 'path') out.push(n.left.path);
        if (n.right?.kind === 'path') out.push(n.right.path);
        walk(n.then);
        walk(n.else);
      }
    }
  };
  walk(t.nodes);
  return out;
}

/** `['ctx','slots',2,'id']` → `ctx.slots[2].id`. */
export function formatPath(path: ValuePath): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
