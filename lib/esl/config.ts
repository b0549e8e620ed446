/** Where the event socket is and how to log in: ESL_HOST, ESL_PORT, ESL_PASSWORD, validated with zod. */
import { z } from 'zod';
import { parseEnv } from '../env';

/** FreeSWITCH's shipped event-socket password, known to everyone: refused unless a lab says otherwise. */
export const DEFAULT_PASSWORD = 'ClueCon';

export const EslEnvSchema = z
  .object({
    ESL_HOST: z.string().min(1).default('127.0.0.1'),
    ESL_PORT: z.coerce.number().int().min(1).max(65535).default(8021),
    ESL_PASSWORD: z.string({ error: 'ESL_PASSWORD is required: the event-socket password of FreeSWITCH (event_socket.conf.xml)' }).min(1, 'ESL_PASSWORD is empty'),
    ESL_ALLOW_DEFAULT_PASSWORD: z.enum(['0', '1']).default('0'),
  })
  .superRefine((env, ctx) => {
    if (env.ESL_PASSWORD === DEFAULT_PASSWORD && env.ESL_ALLOW_DEFAULT_PASSWORD !== '1') {
      ctx.addIssue({
        code: 'custom',
        path: ['ESL_PASSWORD'],
        message:
          'is FreeSWITCH\'s well-known default "ClueCon": change it in event_socket.conf.xml and here, or set ESL_ALLOW_DEFAULT_PASSWORD=1 for a local lab',
      });
    }
  });

export interface EslConfig {
  host: string;
  port: number;
  password: string;
}

export function loadEslConfig(env: NodeJS.ProcessEnv = process.env): EslConfig {
  const e = parseEnv(EslEnvSchema, env, 'event-socket (ESL) configuration');
  return { host: e.ESL_HOST, port: e.ESL_PORT, password: e.ESL_PASSWORD };
}
