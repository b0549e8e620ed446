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
import { EslConnection } from '../lib/esl';

export const SHIPPED_DIALPLAN = path.join(__dirname, '..', 'freeswitch', 'dialplan', 'public', '10_care_ivr.xml');

/** The applications of the shipped IVR extension, in order, so the simulated node runs what FreeSWITCH would. */
export function shippedIvrExtension(file = SHIPPED_DIALPLAN): Array<[string, string]> {
  const xml = fs.readFileSync(file, 'utf8').replace(/<!--[\s\S]*?-->/g, '');
  const apps: Array<[string, string]> = [];
  for (const m of xml.matchAll(/<action\s+application="([^"]+)"(?:\s+data="([^"]*)")?\s*\/>/g)) apps.push([m[1] ?? '', m[2] ?? '']);
  if (!apps.some(([a]) => a === 'park')) throw new Error(`${file}: the IVR extension must end in park (the orchestrator drives parked calls)`);
  return apps;
}

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
  /** Event-socket connections of the voice worker (1 = events and commands on one socket). Default 1. */
  workerConnections?: number;
  sim?: Partial<EslSimulatorOptions>;
  overrides?: (runId: string) => SessionOverrides | undefined;
  logger?: Logger;
}

export interface SimNode {
  sim: EslSimulator;
  bridge: EslBridge;
  bridgeEsl: EslConnection;
  workerEsl: EslConnection;
  workerPool: EslConnection[];
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
  const extension = shippedIvrExtension();
  const sim = await startEslSimulator({
    password,
    timeScale: opts.timeScale ?? 0.02,
    dialplan: (dest) => (dest === destination ? extension : [['hangup', 'UNALLOCATED_NUMBER']]),
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
  const commandPool = Array.from({ length: (opts.workerConnections ?? 1) - 1 }, esl);
  const { worker } = await createVoiceWorker({
    connection: opts.connection,
    node,
    esl: workerEsl,
    commandPool,
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
    workerPool: commandPool,
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
      for (const c of commandPool) await c.close();
      await sim.stop();
    },
  };
}
