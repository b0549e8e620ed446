/** The voice path for tests: ESL simulator + bridge + voice worker + session worker + OpenAI simulator. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { synthesize } from '../../activities/voice/tts';
import { startSimNode, type SimNode, type SimNodeOptions } from '../../stack/sim-node';
import { dataConverter } from '../../lib/codec/data-converter';
import { checkMachineSource } from '../../lib/machine/loader';
import type { CompiledMachine } from '../../lib/machine/model';
import { createTranscriber } from '../../lib/stt/transcriber';
import type { SimCall } from '../../sim/esl';
import { waitsForCaller } from '../../cli/simulate/drivers/voice';
import { startOpenAiSimulator, type OpenAiSimulator } from '../../sim/openai';
import { createSessionWorker } from '../../workers/session-worker';
import { viewQuery, type SessionView } from '../../workflows/session-api';
import { startBackendStub, type BackendStub } from '../support/backend-stub';

export interface VoiceStack {
  machine: CompiledMachine;
  node: SimNode;
  client: Client;
  openai: OpenAiSimulator;
  backend: BackendStub;
  sessionTaskQueue: string;
  handle(call: SimCall): WorkflowHandle;
  view(call: SimCall): Promise<SessionView>;
  stop(): Promise<void>;
}

export function compile(yaml: string): CompiledMachine {
  const checked = checkMachineSource('voice-test.yaml', yaml);
  const errors = checked.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length || !checked.machine) throw new Error(`test machine does not check: ${JSON.stringify(errors)}`);
  return checked.machine;
}

export async function startVoiceStack(yaml: string, opts: Partial<SimNodeOptions> = {}): Promise<VoiceStack> {
  const machine = compile(yaml);
  const address = process.env.TEMPORAL_ADDRESS!;
  const backend = await startBackendStub();
  const openai = await startOpenAiSimulator({ apiKey: 'sk-voice-test' });
  const native = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, dataConverter: dataConverter() });
  const sessionTaskQueue = `voice-sessions-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const sessionWorker: Worker = await createSessionWorker({ connection: native, taskQueue: sessionTaskQueue, backendUrl: backend.url });
  const sessionRun = sessionWorker.run();
  const transcriber = createTranscriber({
    apiKey: 'sk-voice-test',
    baseURL: openai.url,
    model: 'whisper-1',
    language: 'fr',
    timeoutMs: 5000,
    maxRetries: 0,
    maxDurationSeconds: 60,
    promptMaxChars: 400,
  });
  const node = await startSimNode({ client, connection: native, machine, sessionTaskQueue, transcriber, ...opts });
  const handle = (call: SimCall) => client.workflow.getHandle(`voice-${call.uuid}`);
  return {
    machine,
    node,
    client,
    openai,
    backend,
    sessionTaskQueue,
    handle,
    view: (call) => handle(call).query(viewQuery),
    async stop() {
      await node.stop();
      sessionWorker.shutdown();
      await sessionRun;
      await native.close();
      await connection.close();
      await openai.stop();
      await backend.close();
    },
  };
}

export async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Waits until the session listens in `state`: it waits for the caller there, the recording is armed, and the bridge
 * holds the turn the answer will complete, or no turn is under way (see waitsForCaller).
 */
export function listeningIn(stack: VoiceStack, call: SimCall, state: string, ms = 10_000): Promise<SessionView> {
  return until(`session listening in ${state}`, async () => {
    const v = await stack.view(call);
    return v.listening && v.state === state && (await waitsForCaller(stack.node.bridge, call, stack.handle(call))) ? v : undefined;
  }, ms);
}


/** Events fired for one call, by name. */
export function eventsOf(stack: VoiceStack, call: SimCall, name: string): Array<Map<string, string>> {
  return stack.node.sim.firedEvents
    .filter((e) => e.headers.some(([k, v]) => k === 'Unique-ID' && v === call.uuid) && e.headers.some(([k, v]) => k === 'Event-Name' && v === name))
    .map((e) => new Map(e.headers));
}

/** French speech from espeak-ng, as a caller would say it. */
export async function speechWav(text: string): Promise<Buffer> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ivr-say-')), 'say.wav');
  await synthesize('espeak-ng', 'fr', 165, text, file);
  return fs.readFileSync(file);
}
