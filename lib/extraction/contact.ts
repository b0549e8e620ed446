/**
 * Contact extraction: the deterministic parser first, then (when a model is configured and the parser is unsure or
 * missed a field) the LLM extractor, whose values are already checked against the transcript.
 *
 * Merge rule per field: the parser's value stands when it is certain; the model's value replaces a parser value that
 * is missing or flagged in needs_check; when both are certain and differ, the parser's stands and the field is
 * flagged for the read-back. A model failure never fails the extraction: the parser's result is returned (a caller
 * must not wait on a remote model). Free of Temporal: activities/extraction wraps it as an activity.
 */
import { z } from 'zod';
import { createLogger } from '../log';
import { CONTACT_FIELDS, extractContact as parseContact, type ContactField, type ExtractedContact } from '../french/contact';
import { ExtractionError, type LlmContactExtractor } from './llm';

const log = createLogger('extraction');

export const extractContactInputSchema = z.object({
  transcript: z.string().max(10_000, 'transcript longer than 10000 characters: cut the recording into turns'),
  defaultRegion: z.string().regex(/^[A-Z]{2}$/, 'defaultRegion must be an ISO 3166 code such as FR').default('FR'),
  /** Set false to force the deterministic parser only (tests, replays, cost control). */
  useLlm: z.boolean().default(true),
});
export type ExtractContactInput = z.input<typeof extractContactInputSchema>;

export interface ExtractContactResult extends ExtractedContact {
  source: 'parser' | 'parser+llm';
}

/** The input does not satisfy extractContactInputSchema; the message names each field and what is wrong. */
export class InvalidExtractionInput extends Error {
  override name = 'InvalidExtractionInput';
}

/** Parser first, the model for what the parser missed or doubts (see the merge rule above). */
export async function extractContactWithModel(raw: ExtractContactInput, deps: { llm?: LlmContactExtractor } = {}): Promise<ExtractContactResult> {
  const parsed = extractContactInputSchema.safeParse(raw);
  if (!parsed.success) {
    const what = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
    throw new InvalidExtractionInput(`extractContact: invalid input (${what})`);
  }
  const input = parsed.data;
  const base = parseContact(input.transcript, { defaultRegion: input.defaultRegion });
  const missing = CONTACT_FIELDS.filter((f) => base[f] === null || base.needs_check.includes(f));
  const llm = deps.llm;
  if (!input.useLlm || !llm?.enabled || missing.length === 0) return { ...base, source: 'parser' };
  try {
    const answer = await llm.extract(input.transcript, { defaultRegion: input.defaultRegion });
    const merged: ExtractedContact = { ...base, needs_check: [...base.needs_check] };
    const check = new Set<ContactField>(base.needs_check);
    for (const f of CONTACT_FIELDS) {
      const fromModel = answer[f];
      if (fromModel === null) continue;
      if (base[f] === null || base.needs_check.includes(f)) {
        merged[f] = fromModel;
        if (base[f] === null) check.add(f); // a value only the model found is read back before use
        else if (base[f] === fromModel) check.delete(f);
      } else if (base[f] !== fromModel) check.add(f);
    }
    merged.needs_check = CONTACT_FIELDS.filter((f) => check.has(f) && merged[f] !== null);
    log.info({ model: llm.model, dropped: answer.dropped, filled: missing.filter((f) => merged[f] !== null) }, 'contact extracted with model help');
    return { ...merged, source: 'parser+llm' };
  } catch (err) {
    if (!(err instanceof ExtractionError)) throw err;
    log.warn({ err: { name: err.name, retryable: err.retryable } }, 'model extraction failed; parser result kept');
    return { ...base, source: 'parser' };
  }
}
