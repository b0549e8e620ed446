/**
 * Proves the whole Temporal chain the project relies on: the pinned binaries install, the dev server started
 * by globalSetup answers, a worker bundles workflow code and runs a workflow with an activity, and the
 * time-skipping server skips a one-day timer.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Worker, NativeConnection } from '@temporalio/worker';
import { createTimeSkippingEnv } from '../lib/temporal/server';
import { nameSignal, quickWorkflow, smokeWorkflow } from './support/workflows/smoke';

const workflowsPath = path.join(__dirname, 'support', 'workflows', 'smoke.ts');
const activities = { greet: async (name: string) => `Bonjour ${name}` };

test('the dev server runs a workflow with an activity, and its search attributes exist', async () => {
  const address = process.env.TEMPORAL_ADDRESS;
  expect(address).toBeTruthy();
  const nativeConnection = await NativeConnection.connect({ address: address! });
  const taskQueue = `smoke-${process.pid}`;
  const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowsPath, activities });
  const connection = await Connection.connect({ address: address! });
  const client = new Client({ connection });
  try {
    const result = await worker.runUntil(
      client.workflow.execute(quickWorkflow, { taskQueue, workflowId: `smoke-${Date.now()}`, args: ['Lina'] }),
    );
    expect(result).toBe('Bonjour Lina');
    const attrs = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(Object.keys(attrs.customAttributes ?? {})).toEqual(
      expect.arrayContaining(['IvrState', 'IvrMachine', 'IvrChannel', 'IvrOutcome', 'IvrCallerHash']),
    );
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
});

test('the time-skipping server skips a one-day timer', async () => {
  const env = await createTimeSkippingEnv();
  try {
    const taskQueue = 'smoke-skip';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath,
      activities,
    });
    const serverTimeBefore = await env.currentTimeMs();
    const result = await worker.runUntil(async () => {
      const handle = await env.client.workflow.start(smokeWorkflow, { taskQueue, workflowId: 'smoke-skip-1' });
      await handle.signal(nameSignal, 'Tiana');
      return handle.result();
    });
    expect(result).toBe('Bonjour Tiana');
    // A day passed on the server's clock, within the test's timeout: the timer was skipped, not waited for.
    expect((await env.currentTimeMs()) - serverTimeBefore).toBeGreaterThanOrEqual(86_400_000);
  } finally {
    await env.teardown();
  }
});
