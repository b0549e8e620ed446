/** `prompt_end`: say the prompt and end the session. */
import { z } from 'zod';
import { baseStateKeys, outcomeName } from '../common';

export const promptEndState = z.strictObject({
  type: z.literal('prompt_end'),
  ...baseStateKeys,
  prompt: z.string().optional(),
  prompt_template: z.string().optional(),
  /** What a session ending here achieved (or why it ended), unless its path recorded a goal already. */
  outcome: outcomeName.optional(),
});
