/** `listen`: like prompt_and_listen without a prompt of its own (the previous state asked the question). */
import { z } from 'zod';
import { baseStateKeys, listeningKeys } from '../common';

export const listenState = z.strictObject({
  type: z.literal('listen'),
  ...baseStateKeys,
  ...listeningKeys,
});
