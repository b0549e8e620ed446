/**
 * `ivr check` on large machines: generates machines of N states in three shapes and times the loader and checker
 * on each (YAML parse → schema → compile → every rule), as `ivr check` runs them.
 *
 *   npx tsx bench/check.ts [--states 5000] [--runs 3] [--json]
 *
 * Shapes: `chain` (s0 → s1 → … → bye, every state collects into ctx and reads the previous key: the longest paths
 * and the deepest data flow), `wide` (one menu routing to N leaves by text, each back to the menu: the widest
 * state and the biggest strongly connected component), `loop` (a chain whose last state goes back to the first:
 * one cycle through every state), `actions` (a chain of backend actions, each calling an endpoint from globals).
 * Exit code 1 when a shape at 5,000 states or fewer takes 5 s or more.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { countErrors } from '../lib/machine/diagnostics';
import { checkMachineSource } from '../lib/machine/loader';

export const TARGET_MS = 5_000;
export type Shape = 'chain' | 'wide' | 'loop' | 'actions';
export const SHAPES: readonly Shape[] = ['chain', 'wide', 'loop', 'actions'];

const HEADER = `machine: big
version: "1.0.0"
locale: fr-FR
timezone: Europe/Paris
entry: s0
globals:
  noinput_timeout_sec: 5
  max_noinput: 2
  max_nomatch: 2
  exhausted_next: bye
  endpoints:
    save: "POST /calls/{call}/steps/{step}"
intents:
  go: { utterances: ["suivant"], dtmf: ["1"] }
  back: { utterances: ["retour"], dtmf: ["2"] }
states:
`;

const BYE = `  bye:
    type: prompt_end
    prompt: "Au revoir."
`;

/** A machine of `n` states (plus `bye`) in the given shape; it checks without errors. */
export function generateMachine(shape: Shape, n: number): string {
  const parts: string[] = [HEADER];
  if (shape === 'wide') {
    parts.push(`  s0:
    type: prompt_and_listen
    prompt: "Dites le numéro de la rubrique."
    noinput: { max: 2, next: bye }
    routes:
`);
    for (let i = 1; i < n; i++) parts.push(`      - when_text: "rubrique ${i}"\n        set: { topic: "t${i}" }\n        next: s${i}\n`);
    for (let i = 1; i < n; i++) {
      parts.push(`  s${i}:
    type: prompt_and_listen
    prompt: "Rubrique {{ctx.topic}}. Tapez 2 pour revenir."
    noinput: { max: 2, next: bye }
    routes:
      - when_intent: back
        next: s0
      - when_intent: go
        next: bye
`);
    }
  } else if (shape === 'actions') {
    for (let i = 0; i < n; i++) {
      const next = i + 1 < n ? `s${i + 1}` : 'bye';
      parts.push(`  s${i}:
    type: action_then_prompt
    action:
      call: \${globals.endpoints.save}
      path: { call: "{{ctx.call_id}}", step: "${i}" }
      on_success: { set: { r${i}: "{{resp.id}}" }, prompt: "Étape ${i} faite.", next: ${next} }
      on_fail: { prompt: "Échec.", next: bye }
`);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const next = i + 1 < n ? `s${i + 1}` : shape === 'loop' ? 's0' : 'bye';
      // Each state reads the key the previous one wrote: the data-flow rules follow the whole chain.
      const prompt = i === 0 ? 'Tapez votre code.' : `Code précédent {{ctx.k${i - 1}}}. Tapez le suivant.`;
      parts.push(`  s${i}:
    type: prompt_and_listen
    prompt: "${prompt}"
    collect: { mode: otp, length: 4, allow_dtmf: true, into: k${i} }
    noinput: { max: 2, next: bye }
    next: ${next}
`);
    }
  }
  parts.push(BYE);
  return parts.join('');
}

export interface ShapeFigures {
  shape: Shape;
  states: number;
  bytes: number;
  runsMs: number[];
  medianMs: number;
  /** CPU time (user + system) of the median run: what the check costs whatever else the machine is doing. */
  cpuMs: number[];
  medianCpuMs: number;
  errors: number;
  diagnostics: number;
}

export function measure(shape: Shape, n: number, runs: number): ShapeFigures {
  const yaml = generateMachine(shape, n);
  const runsMs: number[] = [];
  const cpuMs: number[] = [];
  let errors = 0;
  let diagnostics = 0;
  for (let r = 0; r < runs; r++) {
    const t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const result = checkMachineSource(`${shape}-${n}.yaml`, yaml);
    const used = process.cpuUsage(cpu);
    runsMs.push(Number(process.hrtime.bigint() - t) / 1e6);
    cpuMs.push((used.user + used.system) / 1000);
    errors = countErrors(result.diagnostics);
    diagnostics = result.diagnostics.length;
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  return { shape, states: n, bytes: Buffer.byteLength(yaml), runsMs, medianMs: median(runsMs), cpuMs, medianCpuMs: median(cpuMs), errors, diagnostics };
}

const ArgsSchema = z.object({
  states: z.coerce.number({ error: '--states must be a number' }).int().min(2).max(200_000).default(5000),
  runs: z.coerce.number({ error: '--runs must be a number' }).int().min(1).max(20).default(3),
  json: z.boolean().default(false),
});

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: { states: { type: 'string' }, runs: { type: 'string' }, json: { type: 'boolean' } } });
  const parsed = ArgsSchema.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(`bench/check: ${parsed.error.issues.map((i) => i.message).join('; ')}\nusage: npx tsx bench/check.ts [--states 5000] [--runs 3] [--json]\n`);
    return 2;
  }
  const { states, runs, json } = parsed.data;
  const figures = SHAPES.map((shape) => measure(shape, states, runs));
  const slow = figures.filter((f) => f.states <= 5000 && f.medianMs >= TARGET_MS);
  const load = os.loadavg()[0] ?? 0;
  if (json) process.stdout.write(JSON.stringify({ targetMs: TARGET_MS, cpus: os.cpus().length, loadAverage: load, figures }, null, 2) + '\n');
  else {
    // Wall time on a shared machine is mostly waiting for a core; CPU time is the check's own cost.
    process.stdout.write(`${os.cpus().length} CPU(s), load average ${load.toFixed(1)}\n`);
    for (const f of figures) {
      process.stdout.write(
        `${f.shape.padEnd(5)} ${f.states} states, ${(f.bytes / 1024).toFixed(0)} KiB: median ${f.medianMs.toFixed(0)} ms wall, ` +
          `${f.medianCpuMs.toFixed(0)} ms CPU (runs ${f.runsMs.map((m) => m.toFixed(0)).join(', ')} ms), ${f.errors} error(s), ${f.diagnostics} diagnostic(s)\n`,
      );
    }
    process.stdout.write(slow.length ? `slower than ${TARGET_MS} ms: ${slow.map((f) => f.shape).join(', ')}\n` : `every shape under ${TARGET_MS} ms\n`);
  }
  return slow.length ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`bench/check: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(2);
    },
  );
}
