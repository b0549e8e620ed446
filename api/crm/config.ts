/**
 * Environment of the CRM routes: CRM_MAX_AUDIO_BYTES, CRM_MAX_AUDIO_SECONDS (else STT_MAX_SECONDS),
 * CRM_CAPTURE_WAIT_MS, CRM_DEFAULT_REGION, CRM_USE_LLM, CRM_LEAD_DEDUP_HOURS, and the task queue of the worker running the capture
 * (SESSION_TASK_QUEUE, like the session worker).
 */
import { z } from 'zod';
import { parseEnv } from '../../lib/env';
import type { CrmRouterDeps } from './router';

const positiveInt = (def: number) => z.coerce.number().int().positive().default(def);

const EnvSchema = z.object({
  // the recording travels in the workflow input, under Temporal's 2 MB payload limit once base64 and encrypted
  CRM_MAX_AUDIO_BYTES: positiveInt(1024 * 1024).refine((n) => n <= 1_400_000, 'at most 1400000: the audio rides in a Temporal payload (2 MB limit)'),
  CRM_MAX_AUDIO_SECONDS: z.coerce.number().int().positive().optional(),
  STT_MAX_SECONDS: positiveInt(60),
  CRM_CAPTURE_WAIT_MS: positiveInt(25_000),
  CRM_DEFAULT_REGION: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 code such as FR').default('FR'),
  CRM_USE_LLM: z.enum(['true', 'false']).default('true'),
  // a repeated capture of a person within this window updates its open lead; 0 turns that off
  CRM_LEAD_DEDUP_HOURS: z.coerce.number().min(0, 'hours, 0 or more (0: every capture adds a lead)').max(24 * 365).default(24),
  SESSION_TASK_QUEUE: z.string().min(1).default('ivr-sessions'),
});

export type CrmEnvSettings = Required<Pick<CrmRouterDeps, 'limits' | 'defaultRegion' | 'useLlm' | 'taskQueue' | 'leadDedupHours'>>;

export function crmConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CrmEnvSettings {
  const e = parseEnv(EnvSchema, env, 'voice → CRM configuration');
  return {
    limits: { maxAudioBytes: e.CRM_MAX_AUDIO_BYTES, maxAudioSeconds: e.CRM_MAX_AUDIO_SECONDS ?? e.STT_MAX_SECONDS, captureWaitMs: e.CRM_CAPTURE_WAIT_MS },
    defaultRegion: e.CRM_DEFAULT_REGION,
    useLlm: e.CRM_USE_LLM === 'true',
    leadDedupHours: e.CRM_LEAD_DEDUP_HOURS,
    taskQueue: e.SESSION_TASK_QUEUE,
  };
}
