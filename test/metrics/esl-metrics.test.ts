/**
 * ESL health as metrics: the esl-bridge's event socket to the FreeSWITCH simulator is up (gauge 1), a bad frame
 * drops it (one drop) and it comes back (one reconnect, gauge 1 again); closing it for good leaves the gauge at 0.
 */
import { Client, Connection } from '@temporalio/client';
import { EslBridge } from '../../esl-bridge/bridge';
import { dataConverter } from '../../lib/codec/data-converter';
import { EslConnection } from '../../lib/esl';
import { createLogger } from '../../lib/log';
import { registry } from '../../lib/metrics';
import { startEslSimulator } from '../../sim/esl';
import { menuActionMachine } from '../support/menu-action-machine';

async function value(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return undefined;
  const { values } = await metric.get();
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

test('esl-bridge: connection up, one drop and one reconnect after a bad frame, down once closed', async () => {
  const sim = await startEslSimulator({ password: 'pw', timeScale: 0.02 });
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const client = new Client({ connection, dataConverter: dataConverter() });
  const esl = new EslConnection({ host: '127.0.0.1', port: sim.port, password: 'pw', logger: createLogger('esl-metrics-test', { level: 'silent' }), reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
  const bridge = new EslBridge({
    client,
    machine: menuActionMachine({ name: 'esl_metrics_test', noinputTimeoutSec: 30, thingId: 1, prompts: { menu: 'Menu.', success: 'Fait.', failure: 'Échec.' } }),
    nodes: [{ name: 'fs1', esl }],
    destinations: ['5000'],
    sessionTaskQueue: `esl-metrics-test-${process.pid}`,
    logger: createLogger('esl-bridge-test', { level: 'silent' }),
  });
  const labels = { component: 'esl-bridge', node: 'fs1' };
  try {
    await bridge.start();
    expect(await value('ivr_esl_connected', labels)).toBe(1);
    expect(await value('ivr_esl_reconnects_total', labels)).toBe(0);
    const reconnected = new Promise<void>((r) => esl.once('reconnected', () => r()));
    sim.injectRawFrame('Content-Length: 2000000000\nContent-Type: text/event-json\n\n{}');
    await reconnected;
    expect(await value('ivr_esl_disconnects_total', labels)).toBe(1);
    expect(await value('ivr_esl_reconnects_total', labels)).toBe(1);
    expect(await value('ivr_esl_connected', labels)).toBe(1);
    await bridge.stop();
    await esl.close();
    expect(await value('ivr_esl_connected', labels)).toBe(0);
  } finally {
    await esl.close();
    await connection.close();
    await sim.stop();
  }
}, 60_000);
