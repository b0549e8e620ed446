/**
 * Capture step 1 (recordings only): the audio → transcript through the project's Whisper client. Audio refused by
 * the local checks, a disabled or refusing STT server are final; an unavailable one is retried by Temporal.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Transcriber } from '../../lib/stt/transcriber';
import { AudioRejected, SttError } from '../../lib/stt/errors';
import type { CrmActivities } from '../../lib/crm/types';

export function createCrmTranscribe(deps: { transcriber: Transcriber }): CrmActivities['crmTranscribe'] {
  return async ({ audioBase64, fileName }) => {
    const audio = Buffer.from(audioBase64, 'base64');
    try {
      const t = await deps.transcriber.transcribe({ audio, ...(fileName ? { fileName } : {}) });
      return { text: t.text, ...(t.durationMs !== undefined ? { durationMs: t.durationMs } : {}) };
    } catch (err) {
      if (err instanceof SttError && !err.retryable) {
        const details = err instanceof AudioRejected ? [err.problem] : [];
        throw ApplicationFailure.create({ message: err.message, type: err.name, nonRetryable: true, details });
      }
      throw err;
    }
  };
}
