/**
 * The local stack of `npm start` as supervised child processes (supervisor.ts, parts.ts): the Temporal dev server,
 * the simulators of the peers that are not configured, the codec server, the backend API and the session worker.
 * A part that dies is restarted on the same port with the same settings; the others keep running.
 *
 * Before anything starts, every fixed port is checked: one already taken (an orphan of an earlier run, another
 * `npm start`) is a PortInUseError naming it, never a silent attach to whatever answers there.
 * Everything binds 127.0.0.1 unless `host` (HOST) opens the API, the codec server and the simulators; the dev
 * server (no authentication at all) stays on loopback.
 */
import path from 'node:path';
import { z } from 'zod';
import { choosePeers, configuredStatus, describePeer, PEER_DEFAULTS, PEER_NAMES, simulatorEnv, simulatorFactsSchema, startedStatus, type PeerName, type PeerStatus } from './peers';
import { assertPortFree, LOOPBACK, pickFreePort } from '../lib/net/ports';
import { metricsConfigFromEnv } from '../lib/metrics';
import { Supervisor, type BackoffOptions, type PartInfo } from './supervisor';

export interface SupervisedStackOptions {
  /** Where the dev server's database and the API's store live (`.data`). */
  dataDir: string;
  ports: { temporal: number; ui: number; codec: number; api: number };
  /** Interface of the API, codec server and simulators (HOST); 127.0.0.1 when omitted. */
  host?: string;
  /** Bearer token of the codec server (CODEC_SERVER_TOKEN, or one made for the run). */
  codecToken: string;
  env?: NodeJS.ProcessEnv;
  taskQueue?: string;
  backoff?: Partial<BackoffOptions>;
  /** Supervision events (a part died, restarts, gives up), one line each. */
  report?: (line: string) => void;
  readyTimeoutMs?: number;
}

export interface SupervisedStack {
  temporalAddress: string;
  apiUrl: string;
  codecUrl: string;
  /** The dev server's Web UI; undefined with TEMPORAL_ADDRESS (an existing server, whose UI is its own). */
  uiUrl: string | undefined;
  /** The stack's own operator token for /crm (operator-token.ts), given to the worker as IVR_OPERATOR_TOKEN. */
  operatorToken: string;
  /** The Brevo simulator's URL (started here, or behind BREVO_BASE_URL): where `ivr call` reads the SMS codes. */
  brevoSimulatorUrl: string | undefined;
  /** What is real and what is simulated, for the banner. */
  describe(): string[];
  /** Pids of each part's process and of what it runs (the dev server binary). */
  pids(): Record<string, number[]>;
  supervisor: Supervisor;
  stop(): Promise<void>;
}

function str(info: PartInfo | undefined, key: string): string {
  const v = info?.[key];
  if (typeof v !== 'string') throw new Error(`a part's ready message lacks "${key}"`);
  return v;
}

export async function startSupervisedStack(opts: SupervisedStackOptions): Promise<SupervisedStack> {
  const baseEnv: NodeJS.ProcessEnv = { ...(opts.env ?? process.env) };
  const host = opts.host ?? LOOPBACK;
  const taskQueue = opts.taskQueue ?? baseEnv.SESSION_TASK_QUEUE ?? 'ivr-sessions';
  const report = opts.report ?? ((line: string) => process.stderr.write(`ivr start: ${line}\n`));
  const readyTimeoutMs = opts.readyTimeoutMs ?? 180_000;
  const external = baseEnv.TEMPORAL_ADDRESS;

  // 1. Every fixed port, all problems at once.
  const checks: [number, string, string, string][] = [
    [opts.ports.api, host, 'backend API', 'PORT'],
    [opts.ports.codec, host, 'codec server', 'CODEC_SERVER_PORT'],
  ];
  if (!external) {
    checks.unshift([opts.ports.temporal, LOOPBACK, 'Temporal dev server, gRPC', 'TEMPORAL_PORT'], [opts.ports.ui, LOOPBACK, 'Temporal Web UI', 'TEMPORAL_UI_PORT']);
  }
  const taken = (await Promise.allSettled(checks.map(([p, h, what, variable]) => assertPortFree(p, h, what, variable))))
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => r.reason as Error);
  if (taken.length === 1) throw taken[0]!;
  if (taken.length > 1) throw new Error(taken.map((e) => e.message).join('\n'));

  const lines: string[] = [];
  const supervisor = new Supervisor({ report, ...(opts.backoff ? { backoff: opts.backoff } : {}) });
  const env: NodeJS.ProcessEnv = { ...baseEnv, HOST: host, SESSION_TASK_QUEUE: taskQueue };
  try {
    // 2. Temporal.
    let temporalAddress = external ?? '';
    const codecEndpoint = `http://127.0.0.1:${opts.ports.codec}`;
    if (!external) {
      const info = await supervisor.start({
        name: 'temporal',
        config: {
          port: opts.ports.temporal,
          uiPort: opts.ports.ui,
          dbFilename: path.join(opts.dataDir, 'temporal.db'),
          uiCodecEndpoint: codecEndpoint,
          namespace: env.TEMPORAL_NAMESPACE ?? 'default',
        },
        env,
        readyTimeoutMs,
      });
      temporalAddress = str(info, 'address');
      const binaryPid = info.pids?.[0];
      lines.push(`Temporal      ${temporalAddress} (dev server from the ${str(info, 'source')}${binaryPid ? `, pid ${binaryPid}` : ''}; history in ${path.join(opts.dataDir, 'temporal.db')})`);
    } else lines.push(`Temporal      ${external} (TEMPORAL_ADDRESS)`);
    env.TEMPORAL_ADDRESS = temporalAddress;

    // 3. Peers, by the one fallback policy (peers.ts): simulators for those not configured, on ports kept across
    // restarts; the configured ones are probed so that a simulator behind a URL is not called real.
    const choices = choosePeers(env);
    const sims: Record<string, unknown> = { host };
    let brevoSimulatorUrl: string | undefined;
    for (const peer of PEER_NAMES) {
      if (choices[peer].mode !== 'simulate') continue;
      sims[peer] = peer === 'odoo' ? { port: await pickFreePort(host), fixtures: PEER_DEFAULTS.odoo.fixtures } : { port: await pickFreePort(host) };
    }
    const statuses = new Map<PeerName, PeerStatus>();
    if (Object.keys(sims).length > 1) {
      const info = await supervisor.start({ name: 'sims', config: sims, env, readyTimeoutMs });
      const facts = z.array(simulatorFactsSchema).safeParse(info.simulators);
      if (!facts.success) throw new Error(`the sims part reported unreadable simulators: ${facts.error.issues[0]?.message ?? 'unknown'}`);
      const before = { ...env };
      for (const f of facts.data) {
        Object.assign(env, simulatorEnv(f, before));
        statuses.set(f.peer, startedStatus(f));
      }
    }
    for (const peer of PEER_NAMES) {
      const choice = choices[peer];
      if (choice.mode === 'configured') statuses.set(peer, await configuredStatus(choice));
      const status = statuses.get(peer);
      if (!status) throw new Error(`the sims part did not report the ${peer} simulator it was asked to start`);
      lines.push(describePeer(status));
      if (peer === 'brevo' && status.identity === 'simulator') brevoSimulatorUrl = status.url;
    }

    // 4. Codec server: the UI's origins, or the bearer token.
    const uiOrigins = [`http://localhost:${opts.ports.ui}`, `http://127.0.0.1:${opts.ports.ui}`];
    const codecInfo = await supervisor.start({
      name: 'codec',
      config: { port: opts.ports.codec, host, allowedOrigins: uiOrigins },
      env: { ...env, CODEC_SERVER_TOKEN: opts.codecToken },
      readyTimeoutMs,
    });
    const codecUrl = str(codecInfo, 'url');
    lines.push(`Codec server  ${codecUrl} (the UI's origins, or Authorization: Bearer <codec token>)`);

    // 5. API. It makes the stack's operator token (or takes IVR_OPERATOR_TOKEN); its restarts reuse that token.
    env.API_STORE_DIR ??= path.join(opts.dataDir, 'api-store');
    // The worker calls the API from this machine for every caller: the per-IP OTP limit is for outside clients.
    env.RATE_IP_EXEMPT ??= '127.0.0.1,::1,::ffff:127.0.0.1';
    const apiEnv: NodeJS.ProcessEnv = { ...env };
    const apiInfo = await supervisor.start({ name: 'api', config: { port: opts.ports.api, taskQueue }, env: apiEnv, readyTimeoutMs });
    const apiUrl = str(apiInfo, 'url');
    const operatorToken = str(apiInfo, 'operatorToken');
    // The supervisor spawns each restart from this same object.
    apiEnv.IVR_OPERATOR_TOKEN = operatorToken;
    env.IVR_OPERATOR_TOKEN = operatorToken;
    lines.push(`Backend API   ${apiUrl} (OpenAPI at ${apiUrl}/openapi.json; listening on ${str(apiInfo, 'host')})`);
    lines.push(`Portal        ${apiUrl}/portal (a simulated Brevo shows the SMS codes in its outbox, above)`);
    lines.push(`Console       ${apiUrl}/console (operators log in with the token of \`npx ivr operators add <name>\`)`);

    // 6. Worker. With METRICS_PORT, the API's metrics listen there and the worker's on the next port.
    const metrics = metricsConfigFromEnv(env);
    const workerEnv: NodeJS.ProcessEnv = { ...env, BACKEND_URL: apiUrl };
    if (metrics.METRICS_PORT !== undefined && metrics.METRICS_PORT > 0) workerEnv.METRICS_PORT = String(metrics.METRICS_PORT + 1);
    const workerInfo = await supervisor.start({ name: 'worker', config: { taskQueue }, env: workerEnv, readyTimeoutMs });
    lines.push(`Worker        task queue ${taskQueue}`);
    const workerMetrics = typeof workerInfo.metricsUrl === 'string' ? workerInfo.metricsUrl : undefined;
    if (workerMetrics) lines.push(`Metrics       http://${metrics.METRICS_HOST}:${metrics.METRICS_PORT}/metrics (API), ${workerMetrics} (worker)${metrics.METRICS_TOKEN ? ' — scrapes send Authorization: Bearer <METRICS_TOKEN>' : ''}`);

    return {
      temporalAddress,
      apiUrl,
      codecUrl,
      uiUrl: external ? undefined : `http://localhost:${opts.ports.ui}`,
      operatorToken,
      brevoSimulatorUrl,
      describe: () => [...lines],
      pids: () => supervisor.pids(),
      supervisor,
      stop: () => supervisor.stop(),
    };
  } catch (err) {
    await supervisor.stop();
    throw err;
  }
}
