/** What every supervised part shares: the handle it returns, the runner's shape, its configuration check. */
import { z } from 'zod';
import type { PartInfo } from '../supervisor';

export interface RunningPartHandle {
  info: PartInfo;
  stop(): Promise<void>;
  /** Settles when the part ends by itself (a dead dev server, a worker that stopped): the process then exits. */
  done?: Promise<unknown>;
}

export type PartRunner = (config: unknown, env: NodeJS.ProcessEnv) => Promise<RunningPartHandle>;

export const port = z.number().int().min(0).max(65535);

export function parse<S extends z.ZodType>(part: string, schema: S, config: unknown): z.infer<S> {
  const parsed = schema.safeParse(config);
  if (parsed.success) return parsed.data;
  const where = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
  throw new Error(`part ${part}: bad configuration from the supervisor: ${where}`);
}
