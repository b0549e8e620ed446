/**
 * The capture activities, for the worker that runs crmCaptureWorkflow (the session worker's task queue):
 * `activities: { ...createCrmActivities({ odoo, transcriber, llm }) }`.
 */
import type { LlmContactExtractor } from '../extraction/llm';
import type { Transcriber } from '../../lib/stt/transcriber';
import { createCrmCreateLead } from './create-lead';
import { createCrmCreatePartner } from './create-partner';
import { createCrmExtract, createCrmExtractor } from './extract';
import { createCrmFindDuplicate } from './find-duplicate';
import { createCrmLogConsent } from './log-consent';
import type { CrmOdooPort } from './odoo';
import { createCrmTranscribe } from './transcribe';
import type { CrmActivities } from './types';

export type { CrmActivities } from './types';
export { createCrmExtractor, type CrmExtractor } from './extract';

export function createCrmActivities(deps: { odoo: CrmOdooPort; transcriber: Transcriber; llm?: LlmContactExtractor }): CrmActivities {
  const extractor = createCrmExtractor(deps.llm ? { llm: deps.llm } : {});
  return {
    crmTranscribe: createCrmTranscribe(deps),
    crmExtract: createCrmExtract({ extractor }),
    crmFindDuplicate: createCrmFindDuplicate(deps),
    crmCreatePartner: createCrmCreatePartner(deps),
    crmCreateLead: createCrmCreateLead(deps),
    crmLogConsent: createCrmLogConsent(deps),
  };
}
