/** `prompt_and_listen`: say the prompt, then wait for an intent, a collected value, a no-input or a no-match. */
import { z } from 'zod';
import { baseStateKeys, listeningKeys, promptKeys } from '../common';

export const promptAndListenState = z.strictObject({
  type: z.literal('prompt_and_listen'),
  ...baseStateKeys,
  ...promptKeys,
  ...listeningKeys,
});
