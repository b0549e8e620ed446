/**
 * `ivr simulate --channel voice`: a simulated FreeSWITCH node (ESL simulator running the shipped dialplan, the
 * esl-bridge and a voice worker) beside the local stack, and a driver that calls it like a caller would. Each script
 * gets its own node, stopped with the driver.
 */
import { NativeConnection } from '@temporalio/worker';
import type { CompiledMachine } from '../../../lib/machine/model';
import type { LocalStack } from '../../../stack/local-stack';
import { createTranscriber, sttConfigFromEnv } from '../../../lib/stt/transcriber';
import { startSimNode } from '../../../stack/sim-node';
import type { SessionDriver } from '../runner';
import type { LoadedScript } from '../script';
import { VoiceSessionDriver } from './voice';

export async function createVoiceDriver(args: { script: LoadedScript; machine: CompiledMachine; stack: LocalStack }): Promise<SessionDriver> {
  const { stack, machine, script } = args;
  const connection = await NativeConnection.connect({ address: stack.temporal.address });
  const node = await startSimNode({
    client: stack.client,
    connection,
    machine,
    sessionTaskQueue: stack.taskQueue,
    transcriber: createTranscriber(sttConfigFromEnv(stack.env)),
  });
  // The script's globals are already compiled into `machine` (timeouts included): nothing to override per call.
  const driver = new VoiceSessionDriver({
    client: stack.client,
    sim: node.sim,
    bridge: node.bridge,
    destination: node.destination,
    ...(stack.openaiSim ? { openai: stack.openaiSim } : {}),
    ...(script.caller ? { caller: script.caller } : {}),
  });
  return {
    get id() {
      return driver.id;
    },
    get workflowId() {
      return driver.id ? `voice-${driver.id}` : undefined;
    },
    start: () => driver.start(),
    view: () => driver.view(),
    trace: (since) => driver.trace(since),
    send: (input) => driver.send(input),
    async stop() {
      await driver.stop();
      await node.stop();
      await connection.close();
    },
  };
}
