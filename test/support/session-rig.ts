/**
 * What a session test needs on the run's Temporal dev server: a backend stub, a session worker on its own task
 * queue (it also answers queries on closed sessions), and a client with the product's encrypting converter.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { dataConverter } from '../../lib/codec/data-converter';
import { createSessionWorker } from '../../workers/session-worker';
import { startBackendStub, type BackendStub } from './backend-stub';

export interface SessionRig {
  backend: BackendStub;
  client: Client;
  taskQueue: string;
  stop(): Promise<void>;
}

export async function startSessionRig(taskQueue: string): Promise<SessionRig> {
  const backend = await startBackendStub();
  const address = process.env.TEMPORAL_ADDRESS!;
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await createSessionWorker({ connection: nativeConnection, taskQueue, backendUrl: backend.url });
  const workerRun = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, dataConverter: dataConverter() });
  return {
    backend,
    client,
    taskQueue,
    async stop() {
      worker.shutdown();
      await workerRun;
      await nativeConnection.close();
      await connection.close();
      await backend.close();
    },
  };
}
