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
import { loadFreeswitchConfig, simulatorOptions, startEslSimulator, type EslSimulator, type EslSimulatorOptions } from '../sim/esl';
import { freeswitchSettingsFromEnv, writeFreeswitchConfig } from '../lib/freeswitch-config';
import { loadEslConfig } from '../lib/esl/config';
import { createVoiceWorker } from '../workers/voice-worker';
import { EslBridge, type SessionOverrides } from '../esl-bridge/bridge';
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
  /** A FreeSWITCH configuration folder to run instead of the one `ivr freeswitch-config` writes for this node. */
  confDir?: string;
  /** FreeSWITCH's environment while it reads its configuration (env-set). Default: empty. */
  confEnv?: Record<string, string | undefined>;
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
  // The node runs the configuration `ivr freeswitch-config` writes, read as FreeSWITCH reads it (preprocessor, XML
  // parser, mod_event_socket's fallbacks): a configuration mistake fails here as it fails a real switch.
  const confDir =
    opts.confDir ??
    (() => {
      const out = path.join(path.resolve(dir), 'freeswitch');
      const recordDir = path.resolve(opts.voice?.recordDir ?? path.join(dir, 'recordings'));
      const ttsDir = path.resolve(opts.voice?.ttsDir ?? path.join(dir, 'tts'));
      writeFreeswitchConfig(out, freeswitchSettingsFromEnv({ ESL_PASSWORD: password, IVR_DESTINATION: destination, VOICE_RECORD_DIR: recordDir, VOICE_TTS_DIR: ttsDir }));
      return out;
    })();
  const fsConf = loadFreeswitchConfig({ confDir, env: opts.confEnv ?? {} });
  // The product refuses FreeSWITCH's fallback password, and a switch that does not apply ESL_PASSWORD is refused too.
  loadEslConfig({ ESL_PASSWORD: fsConf.eventSocket.password });
  if (fsConf.eventSocket.password !== password) {
    throw new Error(`${confDir}: FreeSWITCH's event socket would not ask for this node's ESL_PASSWORD; check the esl_password variable the configuration sets`);
  }
  const extension = fsConf.route(destination);
  if (!extension.some(([a]) => a === 'park')) throw new Error(`${confDir}: the IVR extension for ${destination} must end in park (the orchestrator drives parked calls)`);
  const sim = await startEslSimulator({
    ...simulatorOptions(fsConf),
    timeScale: opts.timeScale ?? 0.02,
    // Prompts play fast, but the caller (a test, a script, a person at `ivr call`) answers in real time.
    realTimeCallerTimeouts: true,
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
    logger: logger.child({ service: 'voice' }),
  });
  const workerRun = worker.run();
  const bridgeEsl = esl();
  const bridge = new EslBridge({
    client: opts.client,
    machine: opts.machine,
    nodes: [{ name: node, esl: bridgeEsl }],
    destinations: [destination],
    sessionTaskQueue: opts.sessionTaskQueue,
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
