/**
 * `ivr api`: the backend API process. Real Odoo and Brevo when ODOO_URL / BREVO_API_KEY are set (the simulators
 * otherwise, with a warning); the voice → CRM routes when TEMPORAL_ADDRESS is set, since each capture is a workflow.
 */
import type { CliCommand } from '../command';

export const command: CliCommand = {
  name: 'api',
  usage: 'api',
  summary: 'run the backend API (PORT, ODOO_*, BREVO_*, DATABASE_URL, TEMPORAL_ADDRESS from the environment)',
  async run() {
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand: the CLI starts fast */
    const { startLocalApi } = require('../../stack/local-api') as typeof import('../../stack/local-api');
    const { crmRouterFromEnv } = require('../../api/crm/from-env') as typeof import('../../api/crm/from-env');
    const { Client, Connection } = require('@temporalio/client') as typeof import('@temporalio/client');
    const { dataConverter } = require('../../lib/codec/data-converter') as typeof import('../../lib/codec/data-converter');
    const { createLogger } = require('../../lib/log') as typeof import('../../lib/log');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const log = createLogger('api');
    const env = process.env;
    const routers = [];
    let connection: Awaited<ReturnType<typeof Connection.connect>> | undefined;
    if (env.TEMPORAL_ADDRESS) {
      connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
      const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE ?? 'default', dataConverter: dataConverter() });
      routers.push(crmRouterFromEnv(env, { temporalClient: client }));
    } else {
      log.warn('TEMPORAL_ADDRESS unset: the voice → CRM routes (/crm/*) are not served');
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
