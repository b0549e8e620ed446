/**
 * Long sessions continue as new when Temporal suggests it, carrying the engine state, the de-duplication window
 * and the input count, and losing no input. The server here suggests it after 40 history events (the default is
 * thousands), so a short conversation crosses several runs. On voice, with turns that wait for the caller
 * (lib/esl/turns.ts), the run still hands over between turns.
 */
import crypto from 'node:crypto';
import { CompleteAsyncError, Context } from '@temporalio/activity';
import { ActivityNotFoundError, Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { dataConverter } from '../../lib/codec/data-converter';
import { startSessionWorkflow } from '../../sessions/start';
import { localTemporalCli, startDevServerFrom } from '../../lib/temporal/server';
import { createSessionWorker } from '../../workers/session-worker';
import { CallTurns, turnActivityId } from '../../lib/esl/turns';
import type { AwaitInput } from '../../workflows/activity-types';
import { inputSignal, inputUpdate, NO_INPUT_YET, viewQuery, type CallerInput } from '../../workflows/session-api';
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

test('a voice session whose turns wait for the caller still continues as new, between turns, losing no input', async () => {
  const cli = localTemporalCli();
  if (!cli) throw new Error('this test needs the Temporal CLI (scripts/install-tools.sh installs it)');
  const server = await startDevServerFrom(cli.path, { dynamicConfig: ['limit.historyCount.suggestContinueAsNew=40'] });
  const backend = await startBackendStub();
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, dataConverter: dataConverter() });
  const taskQueue = `can-voice-${crypto.randomUUID()}`;
  const voiceTaskQueue = `${taskQueue}-node`;
  // The node: a turn that waits is left open for the "bridge" below (the esl-bridge's rule, CallTurns); any other
  // command answers at once.
  const turns = new CallTurns(NO_INPUT_YET);
  const node = await Worker.create({
    connection: nativeConnection,
    taskQueue: voiceTaskQueue,
    dataConverter: dataConverter(),
    activities: {
      voiceTurn: async ({ callId, awaitInput }: { callId: string; awaitInput?: AwaitInput }) => {
        if (!awaitInput) return { interrupted: false };
        const { workflowExecution, activityId } = Context.current().info;
        const { hold } = turns.announce({ callId, workflowId: workflowExecution!.workflowId, runId: workflowExecution!.runId, activityId, after: awaitInput.after });
        // A void turn ends at once, empty: the signal already sent answers.
        if (!hold) return { interrupted: false };
        throw new CompleteAsyncError();
      },
      voiceSay: async () => ({ interrupted: false }),
      voiceListen: async () => undefined,
      voiceHangup: async () => undefined,
    },
  });
  const worker = await createSessionWorker({ connection: nativeConnection, taskQueue, backendUrl: backend.url });
  const running = [worker.run(), node.run()];
  try {
    const machine = menuActionMachine({ name: 'can_voice', noinputTimeoutSec: 120, thingId: 3, prompts: { menu: 'Tapez 1.', success: 'Confirmé.', failure: 'Échec.' } });
    const callId = crypto.randomUUID();
    const handle = await startSessionWorkflow(client, { machine, channel: 'voice', callId, voiceTaskQueue }, { taskQueue });
    const firstRunId = (await handle.describe()).runId;
    let asResults = 0;
    const deliver = async (input: CallerInput) => {
      const turn = turns.deliver(input.eventId);
      if (turn) {
        try {
          await client.activity.complete(turnActivityId(turn), { interrupted: false, input });
          return void asResults++;
        } catch (err) {
          if (!(err instanceof ActivityNotFoundError)) throw err;
        }
      }
      await handle.signal(inputSignal, input);
    };
    for (let i = 0; i < 16; i++) {
      // Wait until the session waits: a turn is held, or it asked for none (it is about to hand over).
      await until(async () => turns.open !== undefined || ((await handle.query(viewQuery)).listening && (await handle.query(viewQuery)).turn === i));
      await deliver({ eventId: `v${i}`, kind: 'dtmf', digits: '9' });
      await until(async () => (await handle.query(viewQuery)).turn === i + 1);
    }
    await until(async () => turns.open !== undefined || (await handle.query(viewQuery)).listening);
    await deliver({ eventId: 'hangup', kind: 'hangup' });
    const result = await client.workflow.getHandle(handle.workflowId).result();
    expect(result).toMatchObject({ outcome: 'hangup', turns: 17 });
    expect((await handle.describe()).runId).not.toBe(firstRunId);
    // Most inputs were turn results: the session kept asking for turns that wait, across runs.
    expect(asResults).toBeGreaterThanOrEqual(8);
  } finally {
    worker.shutdown();
    node.shutdown();
    await Promise.all(running);
    await nativeConnection.close();
    await connection.close();
    await backend.close();
    await server.stop();
  }
});

async function until(probe: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // the run may be handing over: query again
    }
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}
