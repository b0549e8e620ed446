/**
 * The voice → CRM capture activities (activities/crm over lib/crm) wired from the environment: Odoo (ODOO_*), speech-to-text
 * (OPENAI_*, STT_*) and, when an OpenAI-compatible model is configured, LLM extraction checked by the French parser.
 */
import { createCrmActivities, type CrmActivities } from '../activities/crm';
import { createLlmContactExtractor, extractionConfigFromEnv } from '../lib/extraction/llm';
import { createOdooClient } from '../lib/odoo/client';
import { odooConfigFromEnv } from '../lib/odoo/config';
import { createTranscriber, sttConfigFromEnv } from '../lib/stt/transcriber';

export function crmActivitiesFromEnv(env: NodeJS.ProcessEnv, opts: { useLlm?: boolean } = {}): CrmActivities {
  const useLlm = opts.useLlm ?? env.CRM_USE_LLM !== 'false';
  return createCrmActivities({
    odoo: createOdooClient(odooConfigFromEnv(env)),
    transcriber: createTranscriber(sttConfigFromEnv(env)),
    ...(useLlm ? { llm: createLlmContactExtractor(extractionConfigFromEnv(env)) } : {}),
  });
}
