/** Reads configuration from the environment through a zod schema, failing with every wrong variable named. */
import { z } from 'zod';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env, what = 'configuration'): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new ConfigError(`Invalid ${what} in the environment:\n${lines.join('\n')}\nSet or fix these variables and start again.`);
}
