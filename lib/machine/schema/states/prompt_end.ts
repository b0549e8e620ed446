/** `prompt_end`: say the prompt and end the session. */
import { z } from 'zod';
import { baseStateKeys } from '../common';

export const promptEndState = z.strictObject({
  type: z.literal('prompt_end'),
  ...baseStateKeys,
  prompt: z.string().optional(),
  prompt_template: z.string().optional(),
});
