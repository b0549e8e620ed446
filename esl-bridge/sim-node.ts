/**
 * A FreeSWITCH node made of the ESL simulator, with the esl-bridge and the node's voice worker connected to it.
 * For tests, `ivr simulate --channel voice`, `ivr call` and the voice benchmark: everything the voice path runs
 * in production except FreeSWITCH itself. The session worker is the caller's business.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import pino, { type Logger } from 'pino';
import type { VoiceConfig } from '../activities/voice';
import type { PromptRenderer } from '../activities/voice/tts';
import type { CompiledMachine } from '../lib/machine/model';
import type { Transcriber } from '../lib/stt/transcriber';
import { startEslSimulator, type EslSimulator, type EslSimulatorOptions } from '../sim/esl';
import { createVoiceWorker } from '../workers/voice-worker';
import { EslBridge, type SessionOverrides } from './bridge';
import { EslConnection } from './esl-connection';

/** The extension the shipped dialplan runs for the IVR number (freeswitch/dialplan/ivr.xml). */
export const SHIPPED_IVR_EXTENSION: Array<[string, string]> = [
  ['set', 'ivr_entry=true'],
  // Keys must not cut prompts on their own: barge-in is the session's decision (uuid_break).
  ['set', 'playback_terminators=none'],
  ['answer', ''],
  ['park', ''],
];

export interface SimNodeOptions {
  client: Client;
  /** For the voice worker. */
  connection: NativeConnection;
  machine: CompiledMachine;
  sessionTaskQueue: string;
  transcriber: Transcriber;
  node?: string;
  destination?: string;
  password?: string;
  timeScale?: number;
  /** Working folder for prompts and recordings; a fresh temporary one when omitted. */
  dir?: string;
  voice?: Partial<VoiceConfig>;
  prompts?: PromptRenderer;
  sim?: Partial<EslSimulatorOptions>;
  overrides?: (runId: string) => SessionOverrides | undefined;
  logger?: Logger;
}

export interface SimNode {
  sim: EslSimulator;
  bridge: EslBridge;
  bridgeEsl: EslConnection;
  workerEsl: EslConnection;
  worker: Worker;
  node: string;
  destination: string;
  config: VoiceConfig;
  dir: string;
  stop(): Promise<void>;
}

export async function startSimNode(opts: SimNodeOptions): Promise<SimNode> {
  const node = opts.node ?? `sim${process.pid}`;
  const destination = opts.destination ?? '5000';
  const password = opts.password ?? 'sim-node-password';
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ivr-voice-'));
  const logger = opts.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'warn' });
  const sim = await startEslSimulator({
    password,
    timeScale: opts.timeScale ?? 0.02,
    dialplan: (dest) => (dest === destination ? SHIPPED_IVR_EXTENSION : [['hangup', 'UNALLOCATED_NUMBER']]),
    ...opts.sim,
  });
  const config: VoiceConfig = {
    tts: 'playback',
    ttsDir: path.join(dir, 'tts'),
    ttsVoice: 'fr',
    ttsRate: 165,
    espeakBin: 'espeak-ng',
    recordDir: path.join(dir, 'recordings'),
    recordMaxSec: 15,
    silenceThreshold: 200,
    silenceHitsSec: 2,
    ...opts.voice,
  };
  const esl = () =>
    new EslConnection({ host: '127.0.0.1', port: sim.port, password, logger: logger.child({ service: 'esl' }), reconnect: { initialDelayMs: 50, maxDelayMs: 500 } });
  const workerEsl = esl();
  const { worker } = await createVoiceWorker({
    connection: opts.connection,
    node,
    esl: workerEsl,
    config,
    transcriber: opts.transcriber,
    ...(opts.prompts ? { prompts: opts.prompts } : {}),
  });
  const workerRun = worker.run();
  const bridgeEsl = esl();
  const bridge = new EslBridge({
    client: opts.client,
    machine: opts.machine,
    nodes: [{ name: node, esl: bridgeEsl }],
    destinations: [destination],
    sessionTaskQueue: opts.sessionTaskQueue,
    silenceHitsSec: config.silenceHitsSec,
    logger: logger.child({ service: 'esl-bridge' }),
    ...(opts.overrides ? { overrides: opts.overrides } : {}),
  });
  await bridge.start();
  return {
    sim,
    bridge,
    bridgeEsl,
    workerEsl,
    worker,
    node,
    destination,
    config,
    dir,
    async stop() {
      await bridge.stop();
      worker.shutdown();
      await workerRun.catch(() => undefined);
      await bridgeEsl.close();
      await workerEsl.close();
      await sim.stop();
    },
  };
}
