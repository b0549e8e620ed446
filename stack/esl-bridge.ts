/**
 * The esl-bridge process: one event-socket connection per FreeSWITCH node, one Temporal client, until SIGINT/SIGTERM.
 * Configuration from the environment (esl-bridge/config.ts); the machine is loaded and checked once at start.
 */
import { Client, Connection } from '@temporalio/client';
import { dataConverter } from '../lib/codec/data-converter';
import { createLogger } from '../lib/log';
import { loadMachine } from '../lib/machine/loader';
import { SESSION_TASK_QUEUE } from '../sessions/start';
import { EslBridge } from '../esl-bridge/bridge';
import { loadBridgeConfig } from '../esl-bridge/config';
import { EslConnection } from '../lib/esl';
import { serveMetricsFromEnv } from '../lib/metrics';

export async function runBridgeProcess(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const log = createLogger('esl-bridge');
  const config = loadBridgeConfig(env);
  const machine = loadMachine(config.machineFile);
  const connection = await Connection.connect({ address: config.temporalAddress });
  const client = new Client({ connection, namespace: config.namespace, dataConverter: dataConverter() });
  const nodes = config.nodes.map((n) => ({
    name: n.name,
    esl: new EslConnection({ host: n.host, port: n.port, password: n.password, logger: createLogger('esl').child({ node: n.name }) }),
  }));
  const bridge = new EslBridge({
    client,
    machine,
    nodes,
    destinations: config.destinations,
    startEvent: config.startEvent,
    sessionTaskQueue: SESSION_TASK_QUEUE,
    logger: log,
  });
  await bridge.start();
  const metrics = await serveMetricsFromEnv(env, 'esl-bridge metrics');
  log.info({ machine: machine.name, version: machine.version, nodes: nodes.map((n) => n.name) }, 'esl-bridge running');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await bridge.stop();
  await Promise.all(nodes.map((n) => n.esl.close()));
  await connection.close();
  await metrics?.close();
  return 0;
}
