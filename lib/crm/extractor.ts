/**
 * The extraction of a capture: transcript → {firstname, lastname, email, phone} with the project's extraction (parser
 * first, the model fills gaps, values the transcript does not support are dropped), plus the consents said in it.
 * Used by the capture's extract step (activities/crm/extract.ts) and by the /crm previews.
 * A field the model proposed but the transcript does not support is reported in `dropped` and in `needs_check`
 * (a human must ask for it again); it is never written anywhere.
 */
import { extractContactWithModel } from '../extraction/contact';
import type { LlmContactExtractor } from '../extraction/llm';
import { CONTACT_FIELDS } from '../french/contact';
import { detectSpokenConsents } from './consents';
import type { ContactField, ExtractionOutput } from './types';

export interface CrmExtractor {
  extract(text: string, opts?: { defaultRegion?: string; useLlm?: boolean }): Promise<ExtractionOutput>;
}

export function createCrmExtractor(deps: { llm?: LlmContactExtractor } = {}): CrmExtractor {
  return {
    async extract(text, opts = {}) {
      const dropped = new Set<ContactField>();
      // Sees the model's answer on its way through, to learn which of its values were dropped.
      const llm: LlmContactExtractor | undefined = deps.llm && {
        enabled: deps.llm.enabled,
        model: deps.llm.model,
        extract: async (t, o) => {
          const answer = await deps.llm!.extract(t, o);
          for (const f of answer.dropped) dropped.add(f);
          return answer;
        },
      };
      const r = await extractContactWithModel(
        { transcript: text, defaultRegion: opts.defaultRegion ?? 'FR', useLlm: opts.useLlm ?? true },
        llm ? { llm } : {},
      );
      const contact = { firstname: r.firstname, lastname: r.lastname, email: r.email, phone: r.phone };
      // A dropped value the parser did not find either stays null and must be asked again.
      const lost = CONTACT_FIELDS.filter((f) => dropped.has(f) && contact[f] === null);
      const check = new Set<ContactField>([...r.needs_check, ...lost]);
      return {
        contact,
        needs_check: CONTACT_FIELDS.filter((f) => check.has(f)),
        dropped: lost,
        consents: detectSpokenConsents(text),
        method: r.source,
      };
    },
  };
}
