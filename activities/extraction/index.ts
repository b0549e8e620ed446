/**
 * The contact-extraction activity: lib/extraction/contact.ts (parser first, the model for what it missed) with its
 * input errors turned into non-retryable Temporal failures (the same input would be refused again).
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  extractContactWithModel, InvalidExtractionInput, type ExtractContactInput, type ExtractContactResult,
} from '../../lib/extraction/contact';
import type { LlmContactExtractor } from '../../lib/extraction/llm';

export function createExtractionActivities(deps: { llm?: LlmContactExtractor } = {}) {
  return {
    async extractContact(input: ExtractContactInput): Promise<ExtractContactResult> {
      try {
        return await extractContactWithModel(input, deps);
      } catch (err) {
        if (err instanceof InvalidExtractionInput) throw ApplicationFailure.nonRetryable(err.message, err.name);
        throw err;
      }
    },
  };
}
