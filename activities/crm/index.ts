/**
 * The capture activities, for the worker that runs crmCaptureWorkflow (the session worker's task queue):
 * `activities: { ...createCrmActivities({ odoo, transcriber, llm }) }`. The capture domain (types, Odoo mapping,
 * consents, extraction) lives in lib/crm; these are its Temporal steps.
 */
import { createCrmExtractor } from '../../lib/crm/extractor';
import type { CrmOdooPort } from '../../lib/crm/odoo';
import type { CrmActivities } from '../../lib/crm/types';
import type { LlmContactExtractor } from '../../lib/extraction/llm';
import type { Transcriber } from '../../lib/stt/transcriber';
import { createCrmCreateLead } from './create-lead';
import { createCrmCreatePartner } from './create-partner';
import { createCrmExtract } from './extract';
import { createCrmFindDuplicate } from './find-duplicate';
import { createCrmLogConsent } from './log-consent';
import { createCrmTranscribe } from './transcribe';

export type { CrmActivities } from '../../lib/crm/types';

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
