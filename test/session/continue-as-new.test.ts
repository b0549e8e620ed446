/**
 * Long sessions continue as new when Temporal suggests it, carrying the engine state, the de-duplication window
 * and the input count, and losing no input. The server here suggests it after 40 history events (the default is
 * thousands), so a short conversation crosses several runs.
 */
import crypto from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { dataConverter } from '../../lib/codec/data-converter';
import { startSessionWorkflow } from '../../sessions/start';
import { localTemporalCli, startDevServerFrom } from '../../lib/temporal/server';
import { createSessionWorker } from '../../workers/session-worker';
import { inputSignal, inputUpdate, viewQuery } from '../../workflows/session-api';
import { startBackendStub } from '../support/backend-stub';
import { menuActionMachine } from '../support/menu-action-machine';

jest.setTimeout(180_000);

test('a session crossing several runs keeps its state and applies every input once', async () => {
  const cli = localTemporalCli();
  if (!cli) throw new Error('this test needs the Temporal CLI (scripts/install-tools.sh installs it)');
  const server = await startDevServerFrom(cli.path, { dynamicConfig: ['limit.historyCount.suggestContinueAsNew=40'] });
  const backend = await startBackendStub();
  backend.answer('PUT /things/3/confirm', { status: 200, body: {} });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, dataConverter: dataConverter() });
  const taskQueue = `can-${crypto.randomUUID()}`;
  const worker = await createSessionWorker({ connection: nativeConnection, taskQueue, backendUrl: backend.url });
  const running = worker.run();
  try {
    const machine = menuActionMachine({
      name: 'can_test',
      noinputTimeoutSec: 120,
      thingId: 3,
      prompts: { menu: 'Tapez 1.', success: 'Confirmé.', failure: 'Échec.' },
    });
    const handle = await startSessionWorkflow(client, { machine, channel: 'web', callId: crypto.randomUUID() }, { taskQueue });
    const firstRunId = (await handle.describe()).runId;
    // "Say the menu again": each input is a new visit of the menu, several history events per input.
    for (let i = 0; i < 30; i++) {
      const view = await handle.executeUpdate(inputUpdate, { args: [{ eventId: `e${i}`, kind: 'dtmf', digits: '9' }] });
      expect(view.state).toBe('s.menu');
    }
    // A duplicate of an input from an earlier run is still recognised after continue-as-new.
    await handle.signal(inputSignal, { eventId: 'e29', kind: 'dtmf', digits: '1' });
    const view = await handle.query(viewQuery);
    expect(view.turn).toBe(30);
    await handle.signal(inputSignal, { eventId: 'final', kind: 'dtmf', digits: '1' });
    const result = await client.workflow.getHandle(handle.workflowId).result();
    expect(result).toMatchObject({ outcome: 'completed', state: 's.bye', turns: 31 });
    expect((await handle.describe()).runId).not.toBe(firstRunId);
    expect(backend.requests).toHaveLength(1);
  } finally {
    worker.shutdown();
    await running;
    await nativeConnection.close();
    await connection.close();
    await backend.close();
    await server.stop();
  }
});
