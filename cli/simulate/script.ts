/**
 * Conversation scripts (the format in the product docs): the caller's side of one session plus what must be seen.
 * Loaded with zod and source positions, so a bad script fails with file:line before anything runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { z } from 'zod';

const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

/**
 * Added to the format: a record named by its fields, `{ model: res.partner, email: "lina@exemple.com" }`, found by
 * search on the Odoo in use (simulator or ODOO_URL), so a script never writes an id one Odoo assigned. Declared once
 * under `refs:` and used as `{ ref: name }`, or written inline as `{ ref: { model: …, field: value } }`, wherever a
 * value goes in an `expect.odoo` domain or fields. A field value may itself be a `{ ref: … }`.
 */
const refFields = z
  .object({ model: z.string().min(1, 'the model of the record, e.g. res.partner') })
  .catchall(jsonValue)
  .refine((r) => Object.keys(r).length > 1, 'a ref names its record by at least one field besides model, e.g. { model: res.partner, email: "lina@exemple.com" }');

export type RefFields = z.infer<typeof refFields>;

const REF_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

const expectSchema = z
  .object({
    state: z.string().min(1).optional(),
    say: z.string().min(1).optional(),
    /** Added to the format: one of the prompts said since the caller's last input contains this text. */
    said: z.string().min(1).optional(),
    ended: z.boolean().optional(),
    outcome: z.string().optional(),
    sent: z
      .object({
        channel: z.enum(['sms', 'email', 'whatsapp']),
        to: z.string().optional(),
        contains: z.string().optional(),
        count: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    odoo: z
      .object({
        model: z.string().min(1),
        domain: z.array(jsonValue).default([]),
        count: z.number().int().min(0).optional(),
        fields: z.record(z.string(), jsonValue).optional(),
      })
      .strict()
      .optional(),
    /** Seconds to wait for the condition (default 10). */
    within: z.number().positive().optional(),
  })
  .strict()
  .refine((e) => Object.keys(e).some((k) => k !== 'within' && k !== 'ended'), 'an expect needs at least one condition');

const inputFlags = { barge: z.boolean().optional() };

export const stepSchema = z.union([
  z.object({ expect: expectSchema }).strict(),
  z.object({ dtmf: z.string().regex(/^[0-9*#A-Da-d]+$/, 'DTMF keys are 0-9, *, #, A-D'), ...inputFlags }).strict(),
  z.object({ say: z.string(), ...inputFlags }).strict(),
  z.object({ audio: z.string().min(1), ...inputFlags }).strict(),
  z.object({ otp: z.enum(['sms', 'email', 'whatsapp']), ...inputFlags }).strict(),
  z.object({ silence: z.number().positive() }).strict(),
  z.object({ hangup: z.literal(true) }).strict(),
]);

export const scriptSchema = z
  .object({
    name: z.string().optional(),
    machine: z.string().optional(),
    channel: z.enum(['voice', 'web']).default('voice'),
    caller: z.string().optional(),
    globals: z.record(z.string(), jsonValue).optional(),
    odoo: z.string().optional(),
    /** Added to the format: records named by their fields, resolved once before the first step (see refFields). */
    refs: z.record(z.string().regex(REF_NAME, 'a ref name is letters, digits, _ and -'), refFields).optional(),
    steps: z.array(stepSchema).min(1),
  })
  .strict()
  .superRefine((script, ctx) => {
    const declared = new Set(Object.keys(script.refs ?? {}));
    const walk = (v: unknown, p: PropertyKey[]): void => {
      if (Array.isArray(v)) return v.forEach((x, i) => walk(x, [...p, i]));
      if (!v || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      if ('ref' in o) {
        if (Object.keys(o).length !== 1) ctx.addIssue({ code: 'custom', path: p, message: 'a { ref: … } value has no other key' });
        else if (typeof o.ref === 'string') {
          if (!declared.has(o.ref)) ctx.addIssue({ code: 'custom', path: [...p, 'ref'], message: `unknown ref '${o.ref}' (declared under refs: ${[...declared].join(', ') || 'none'})` });
        } else {
          const r = refFields.safeParse(o.ref);
          if (!r.success) ctx.addIssue({ code: 'custom', path: [...p, 'ref'], message: r.error.issues[0]!.message });
          else walk(o.ref, [...p, 'ref']);
        }
        return;
      }
      for (const [k, x] of Object.entries(o)) walk(x, [...p, k]);
    };
    for (const [name, r] of Object.entries(script.refs ?? {})) {
      for (const [k, x] of Object.entries(r)) {
        if (x && typeof x === 'object' && 'ref' in (x as object) && (x as { ref: unknown }).ref === name) {
          ctx.addIssue({ code: 'custom', path: ['refs', name, k], message: `ref '${name}' cannot name itself` });
        } else walk(x, ['refs', name, k]);
      }
    }
    script.steps.forEach((step, i) => {
      if ('expect' in step && step.expect.odoo) walk({ domain: step.expect.odoo.domain, fields: step.expect.odoo.fields }, ['steps', i, 'expect', 'odoo']);
    });
  });

export type ScriptStep = z.infer<typeof stepSchema>;
export type ScriptExpect = z.infer<typeof expectSchema>;

export interface LoadedScript {
  file: string;
  name: string;
  channel: 'voice' | 'web';
  caller?: string;
  globals?: Record<string, unknown>;
  /** Absolute paths, resolved against the script's folder. */
  machine?: string;
  odoo?: string;
  /** Named records (`refs:`), in declaration order, with the line each is declared on. */
  refs: Array<{ name: string; fields: RefFields; line: number }>;
  steps: { step: ScriptStep; line: number }[];
}

export class ScriptError extends Error {
  override name = 'ScriptError';
}

function lineOf(node: YamlNode | undefined, counter: LineCounter): number {
  const offset = node?.range?.[0];
  return offset === undefined ? 1 : counter.linePos(offset).line;
}

/** Line of the node at `issuePath` (e.g. ['steps', 3, 'dtmf']), as deep as the document goes. */
function lineAt(root: YamlNode | null, issuePath: PropertyKey[], counter: LineCounter): number {
  let node: YamlNode | undefined = root ?? undefined;
  let line = lineOf(node, counter);
  for (const key of issuePath) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      node = (pair?.value ?? pair?.key) as YamlNode | undefined;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key] as YamlNode | undefined;
    } else break;
    if (!node) break;
    line = lineOf(node, counter);
  }
  return line;
}

export function loadScript(file: string): LoadedScript {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScriptError(`${file}: cannot read the script (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const pos = first.linePos?.[0];
    throw new ScriptError(`${file}:${pos?.line ?? 1}:${pos?.col ?? 1}: invalid YAML: ${first.message.split('\n')[0]}`);
  }
  const parsed = scriptSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new ScriptError(`${file}:${lineAt(doc.contents, issue.path, counter)}: ${where}: ${issue.message}`);
  }
  const dir = path.dirname(path.resolve(file));
  const stepsNode = isMap(doc.contents) ? doc.contents.get('steps', true) : undefined;
  const stepLines = isSeq(stepsNode) ? stepsNode.items.map((n) => lineOf(n as YamlNode, counter)) : [];
  const data = parsed.data;
  return {
    file,
    name: data.name ?? path.basename(file, path.extname(file)),
    channel: data.channel,
    caller: data.caller,
    globals: data.globals as Record<string, unknown> | undefined,
    machine: data.machine ? path.resolve(dir, data.machine) : undefined,
    odoo: data.odoo ? path.resolve(dir, data.odoo) : undefined,
    refs: Object.entries(data.refs ?? {}).map(([name, fields]) => ({ name, fields, line: lineAt(doc.contents, ['refs', name], counter) })),
    steps: data.steps.map((step, i) => {
      const resolved = 'audio' in step ? { ...step, audio: path.resolve(dir, step.audio) } : step;
      return { step: resolved, line: stepLines[i] ?? 1 };
    }),
  };
}
