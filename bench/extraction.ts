/**
 * Contact-extraction benchmark: runs the deterministic parser (and, with --llm, an OpenAI-compatible model) over
 * bench/extraction-corpus.json and prints field-level exact-match rates and the number of invented values (a
 * phone or e-mail produced where the expected one is null or different, and that the transcript does not support).
 *
 *   npx tsx bench/extraction.ts [--json] [--llm] [--verbose]
 *
 * --llm needs OPENAI_API_KEY (optional OPENAI_BASE_URL, EXTRACTION_MODEL); without it the LLM path is reported as
 * not measured. Exit code 1 when the parser misses the targets (≥ 95 % exact fields, 0 invented).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { extractContact, supportsEmail, supportsPhone, type ContactField } from '../lib/french/contact';

export const FIELDS: readonly ContactField[] = ['firstname', 'lastname', 'email', 'phone'];
export const TARGET_EXACT = 0.95;

const contactSchema = z.object({
  firstname: z.string().nullable(),
  lastname: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
});
export type ContactValues = z.infer<typeof contactSchema>;

const corpusSchema = z.object({
  description: z.string().optional(),
  defaultRegion: z.string().length(2).default('FR'),
  cases: z
    .array(
      z.object({
        id: z.string().min(1),
        tags: z.array(z.string()).default([]),
        transcript: z.string(),
        defaultRegion: z.string().length(2).optional(),
        expected: contactSchema,
      }),
    )
    .min(1),
});
export type Corpus = z.infer<typeof corpusSchema>;
export type CorpusCase = Corpus['cases'][number];

export const CORPUS_PATH = join(__dirname, 'extraction-corpus.json');

/** Reads and validates the corpus; errors name the file and the field at fault. */
export function loadCorpus(path = CORPUS_PATH): Corpus {
  const parsed = corpusSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`);
    throw new Error(`${path}: invalid corpus\n${lines.join('\n')}\nFix the entries named above.`);
  }
  const ids = new Set<string>();
  for (const c of parsed.data.cases) {
    if (ids.has(c.id)) throw new Error(`${path}: duplicate case id "${c.id}"`);
    ids.add(c.id);
  }
  return parsed.data;
}

export interface Mismatch {
  id: string;
  field: ContactField;
  expected: string | null;
  got: string | null;
  invented: boolean;
}

export interface Score {
  cases: number;
  perField: Record<ContactField, { exact: number; total: number; rate: number }>;
  overall: { exact: number; total: number; rate: number };
  invented: number;
  mismatches: Mismatch[];
  ms: number;
}

/** Field-level comparison of one extractor over the corpus. */
export async function scoreExtractor(
  corpus: Corpus,
  extract: (transcript: string, region: string) => Promise<ContactValues> | ContactValues,
): Promise<Score> {
  const perField = Object.fromEntries(FIELDS.map((f) => [f, { exact: 0, total: 0, rate: 0 }])) as Score['perField'];
  const mismatches: Mismatch[] = [];
  let invented = 0;
  const t0 = Date.now();
  for (const c of corpus.cases) {
    const region = c.defaultRegion ?? corpus.defaultRegion;
    const got = await extract(c.transcript, region);
    for (const f of FIELDS) {
      const exp = c.expected[f];
      const val = got[f];
      const cell = perField[f];
      cell.total++;
      if (val === exp) {
        cell.exact++;
        continue;
      }
      let made = false;
      if (val !== null && (f === 'phone' || f === 'email')) {
        made = f === 'phone' ? !supportsPhone(c.transcript, val, { defaultRegion: region }) : !supportsEmail(c.transcript, val);
      }
      if (made) invented++;
      mismatches.push({ id: c.id, field: f, expected: exp, got: val, invented: made });
    }
  }
  let exact = 0;
  let total = 0;
  for (const f of FIELDS) {
    const cell = perField[f];
    cell.rate = cell.total === 0 ? 0 : cell.exact / cell.total;
    exact += cell.exact;
    total += cell.total;
  }
  return {
    cases: corpus.cases.length,
    perField,
    overall: { exact, total, rate: total === 0 ? 0 : exact / total },
    invented,
    mismatches,
    ms: Date.now() - t0,
  };
}

/** The deterministic parser as an extractor. */
export function parserExtractor(transcript: string, region: string): ContactValues {
  const r = extractContact(transcript, { defaultRegion: region });
  return { firstname: r.firstname, lastname: r.lastname, email: r.email, phone: r.phone };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function printScore(name: string, s: Score, verbose: boolean): void {
  console.log(`\n${name}: ${s.cases} dictations, ${s.ms} ms`);
  for (const f of FIELDS) {
    const c = s.perField[f];
    console.log(`  ${f.padEnd(10)} ${String(c.exact).padStart(3)}/${c.total}  ${pct(c.rate)}`);
  }
  console.log(`  ${'overall'.padEnd(10)} ${String(s.overall.exact).padStart(3)}/${s.overall.total}  ${pct(s.overall.rate)}`);
  console.log(`  invented   ${s.invented}`);
  if (verbose || s.mismatches.length <= 10) {
    for (const m of s.mismatches) {
      console.log(`  - ${m.id}.${m.field}: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.got)}${m.invented ? ' (INVENTED)' : ''}`);
    }
  }
}

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const llm = argv.includes('--llm');
  const verbose = argv.includes('--verbose');
  const corpus = loadCorpus();
  const parser = await scoreExtractor(corpus, parserExtractor);
  let llmScore: Score | null = null;
  let llmNote: string | null = null;
  let llmModel = '';
  /** Values the model returned that the transcript check removed (what it would have invented). */
  let llmDropped = 0;
  if (llm) {
    if (!process.env.OPENAI_API_KEY) {
      llmNote = 'LLM path not measured: OPENAI_API_KEY is not set (optional OPENAI_BASE_URL, EXTRACTION_MODEL).';
    } else {
      const { createLlmContactExtractor } = await import('../lib/extraction/llm');
      const extractor = createLlmContactExtractor();
      llmModel = extractor.model;
      llmScore = await scoreExtractor(corpus, async (t, region) => {
        const r = await extractor.extract(t, { defaultRegion: region });
        llmDropped += r.dropped.length;
        return { firstname: r.firstname, lastname: r.lastname, email: r.email, phone: r.phone };
      });
    }
  }
  const ok = parser.overall.rate >= TARGET_EXACT && parser.invented === 0;
  if (json) {
    const llmOut = llmScore ? { model: llmModel, droppedByTranscriptCheck: llmDropped, ...llmScore } : null;
    console.log(JSON.stringify({ target: { exact: TARGET_EXACT, invented: 0 }, parser, llm: llmOut, llmNote, ok }, null, 2));
  } else {
    printScore('parser (lib/french/contact.ts)', parser, verbose);
    if (llmScore) {
      printScore(`llm (${llmModel}, answers checked against the transcript)`, llmScore, verbose);
      console.log(`  dropped by the transcript check: ${llmDropped} value(s) the model returned without support`);
    }
    else console.log(`\n${llmNote ?? 'LLM path not measured (pass --llm with OPENAI_API_KEY set).'}`);
    console.log(`\ntarget: ≥ ${pct(TARGET_EXACT)} exact fields and 0 invented → ${ok ? 'met' : 'NOT MET'}`);
  }
  return ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(2);
    },
  );
}
