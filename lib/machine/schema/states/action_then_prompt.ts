/** `action_then_prompt`: run the action on entry, then say on_success/on_fail's prompt and move on. */
import { z } from 'zod';
import { action, baseStateKeys, promptKeys } from '../common';

export const actionThenPromptState = z.strictObject({
  type: z.literal('action_then_prompt'),
  ...baseStateKeys,
  ...promptKeys,
  action,
});
