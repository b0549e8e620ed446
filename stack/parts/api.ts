/** The backend API with the voice → CRM routes; it makes the stack's operator token. */
import { z } from 'zod';
import { localOperatorToken } from '../operator-token';
import { Client, Connection } from '@temporalio/client';
import { dataConverter } from '../../lib/codec/data-converter';
import { crmRouterFromEnv } from '../../api/crm/from-env';
import { webSessionRouterFromEnv } from '../../api/routes/web-session';
import { consoleRouterFromEnv } from '../../api/console/router';
import { startLocalApi } from '../local-api';
import { parse, port, type PartRunner } from './common';

export const apiConfigSchema = z.object({ port, taskQueue: z.string().min(1) });

export const run: PartRunner = async (config, env) => {
  const cfg = parse('api', apiConfigSchema, config);
  const address = env.TEMPORAL_ADDRESS;
  if (!address) throw new Error('part api: TEMPORAL_ADDRESS is missing from its environment');
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE ?? 'default', dataConverter: dataConverter() });
    const crm = crmRouterFromEnv(env, { temporalClient: client, taskQueue: cfg.taskQueue });
    const portal = webSessionRouterFromEnv(env, { client, taskQueue: cfg.taskQueue });
    const api = await startLocalApi(env, { port: cfg.port, routers: [crm, portal, consoleRouterFromEnv(env, { client })] });
    let operatorToken: string;
    try {
      operatorToken = await localOperatorToken(env, api.deps);
    } catch (err) {
      await api.stop();
      throw err;
    }
    return {
      info: { url: api.url, host: api.host, operatorToken },
      async stop() {
        await api.stop();
        await connection.close();
      },
    };
  } catch (err) {
    await connection.close();
    throw err;
  }
};
