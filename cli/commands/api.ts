/**
 * `ivr api`: the backend API process. Real Odoo and Brevo when ODOO_URL / BREVO_API_KEY are set (the simulators
 * otherwise, with a warning); the voice → CRM routes when TEMPORAL_ADDRESS is set, since each capture is a workflow.
 */
import { Client, Connection } from '@temporalio/client';
import { crmRouterFromEnv } from '../../api/crm/from-env';
import { SESSION_TASK_QUEUE } from '../../sessions/start';
import { webSessionRouterFromEnv } from '../../api/routes/web-session';
import { consoleRouterFromEnv } from '../../api/console/router';
import { dataConverter } from '../../lib/codec/data-converter';
import { createLogger } from '../../lib/log';
import { startLocalApi } from '../../stack/local-api';
import type { CliCommand } from '../command';

export const command: CliCommand = {
  async run() {
    const log = createLogger('api');
    const env = process.env;
    const routers = [];
    let connection: Awaited<ReturnType<typeof Connection.connect>> | undefined;
    if (env.TEMPORAL_ADDRESS) {
      connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
      const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE ?? 'default', dataConverter: dataConverter() });
      routers.push(crmRouterFromEnv(env, { temporalClient: client }));
      routers.push(webSessionRouterFromEnv(env, { client, taskQueue: SESSION_TASK_QUEUE }));
      routers.push(consoleRouterFromEnv(env, { client }));
    } else {
      log.warn('TEMPORAL_ADDRESS unset: the voice → CRM routes (/crm/*) and the portal\'s sessions (/portal/api/*) are not served');
    }
    const api = await startLocalApi(env, { routers });
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await api.stop();
    await connection?.close();
    return 0;
  },
};
