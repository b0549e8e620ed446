/**
 * The voice → CRM router wired from the environment, for the API process: Odoo (ODOO_*), speech-to-text
 * (OPENAI_*, STT_*), the model for extraction when configured, and the Temporal client that runs each capture as a
 * durable workflow on the session worker's task queue.
 */
import type { Client } from '@temporalio/client';
import type { Router } from 'express';
import { createCrmExtractor } from '../../lib/crm/extractor';
import { createLlmContactExtractor, extractionConfigFromEnv } from '../../lib/extraction/llm';
import { createLogger } from '../../lib/log';
import { createOdooClient } from '../../lib/odoo/client';
import { odooConfigFromEnv } from '../../lib/odoo/config';
import { createTranscriber, sttConfigFromEnv } from '../../lib/stt/transcriber';
import { crmConfigFromEnv } from './config';
import { createCrmRouter } from './router';

/** `taskQueue` overrides SESSION_TASK_QUEUE (the local stack runs its worker on a queue of its own). */
export function crmRouterFromEnv(env: NodeJS.ProcessEnv, opts: { temporalClient: Client; taskQueue?: string; useLlm?: boolean }): Router {
  const settings = crmConfigFromEnv(env);
  const useLlm = opts.useLlm ?? settings.useLlm;
  return createCrmRouter({
    odoo: createOdooClient(odooConfigFromEnv(env)),
    extraction: createCrmExtractor(useLlm ? { llm: createLlmContactExtractor(extractionConfigFromEnv(env)) } : {}),
    transcriber: createTranscriber(sttConfigFromEnv(env)),
    temporalClient: opts.temporalClient,
    logger: createLogger('crm'),
    ...settings,
    taskQueue: opts.taskQueue ?? settings.taskQueue,
    useLlm,
  });
}
