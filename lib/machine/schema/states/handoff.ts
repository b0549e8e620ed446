/** `handoff`: transfer the caller to a human queue; on failure go to on_fail. */
import { z } from 'zod';
import { baseStateKeys, outcomeName, stateName } from '../common';

export const handoffState = z.strictObject({
  type: z.literal('handoff'),
  ...baseStateKeys,
  enabled: z.boolean(),
  queue_id: z.string().min(1),
  prompt: z.string().optional(),
  prompt_template: z.string().optional(),
  on_fail: z
    .strictObject({ prompt: z.string().optional(), prompt_template: z.string().optional(), next: stateName.optional(), outcome: outcomeName.optional() })
    .optional(),
});
