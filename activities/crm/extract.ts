/**
 * Capture step 2: the capture's extraction (lib/crm/extractor.ts) as an activity. Input the extraction refuses
 * (too long, a bad region) is final: the same input would be refused again.
 */
import { ApplicationFailure } from '@temporalio/common';
import { InvalidExtractionInput } from '../../lib/extraction/contact';
import type { CrmExtractor } from '../../lib/crm/extractor';
import type { CrmActivities } from '../../lib/crm/types';

export function createCrmExtract(deps: { extractor: CrmExtractor }): CrmActivities['crmExtract'] {
  return async ({ text, defaultRegion, useLlm }) => {
    try {
      return await deps.extractor.extract(text, { defaultRegion, useLlm });
    } catch (err) {
      if (err instanceof InvalidExtractionInput) throw ApplicationFailure.nonRetryable(err.message, err.name);
      throw err;
    }
  };
}
