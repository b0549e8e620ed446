/**
 * The stack the edge tests run on: the Odoo and Brevo simulators, each behind a fault proxy; the API on those
 * proxies with short peer timeouts (2 s, so a "slow" answer costs 2–3 s, not 16); a second fault proxy in front of
 * the API; a session worker on the real dev server whose backend activity goes through that proxy. Every case gets
 * its own partner (own phone, own e-mail) and its own appointment, so cases run side by side and each counts its own
 * effects on the simulators.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createBackendActivities } from '../../activities/backend/call-backend';
import { dataConverter } from '../../lib/codec/data-converter';
import { loadMachine } from '../../lib/machine/loader';
import type { CompiledMachine } from '../../lib/machine/model';
import { sealKeyFromEnv } from '../../lib/secrets/seal';
import { startSessionWorkflow } from '../../sessions/start';
import { startBrevoSimulator, type BrevoSimulator } from '../../sim/brevo';
import { startOdooSimulator, type OdooSimulator } from '../../sim/odoo/server';
import { startLocalApi, type LocalApi } from '../../stack/local-api';
import { createSessionWorker } from '../../workers/session-worker';
import { inputUpdate, type CallerInput, type SessionView } from '../../workflows/session-api';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';

const ROOT = path.join(__dirname, '..', '..');

export interface CaseRecord {
  /** 0-based case number. */
  n: number;
  partnerId: number;
  eventId: number;
  /** E.164 and the digits Brevo sees. */
  phone: string;
  digits: string;
  /** What a caller keys in: 0 + national number + #. */
  keyed: string;
  email: string;
  originalStart: string;
}

export interface EdgeStack {
  odooSim: OdooSimulator;
  brevoSim: BrevoSimulator;
  odooProxy: FaultProxy;
  brevoProxy: FaultProxy;
  apiProxy: FaultProxy;
  api: LocalApi;
  client: Client;
  machine: CompiledMachine;
  cases: CaseRecord[];
  /** Restarts the API on the same store and port (what the supervisor does after a crash), after `downMs`. */
  restartApi(downMs: number): Promise<void>;
  stop(): Promise<void>;
  start(c: CaseRecord): Promise<Session>;
}

export interface Session {
  handle: WorkflowHandle;
  /** Sends one input and returns the view the update answers. */
  send(input: { dtmf: string } | { text: string }): Promise<SessionView>;
}

/** The demo records plus one partner and one upcoming appointment per case (2030, out of the proposals' way). */
function fixtures(count: number): { data: Record<string, Array<Record<string, unknown>>>; cases: CaseRecord[] } {
  const demo = JSON.parse(fs.readFileSync(path.join(ROOT, 'sim', 'odoo', 'fixtures', 'demo.json'), 'utf8')) as Record<string, Array<Record<string, unknown>>>;
  const cases: CaseRecord[] = [];
  for (let n = 0; n < count; n++) {
    const national = `6120${String(n + 1).padStart(5, '0')}`;
    const day = 1 + (n % 27);
    const month = 4 + Math.floor(n / 27);
    const start = `2030-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')} ${String(8 + (n % 3) * 3).padStart(2, '0')}:00:00`;
    const stop = start.replace(/ (\d\d):/, (_m, h: string) => ` ${String(Number(h) + 1).padStart(2, '0')}:`);
    const c: CaseRecord = {
      n, partnerId: 1000 + n, eventId: 2000 + n, phone: `+33${national}`, digits: `33${national}`, keyed: `0${national}#`,
      email: `edge${n}@exemple.fr`, originalStart: start,
    };
    cases.push(c);
    demo['res.partner']!.push({ id: c.partnerId, name: `Patient Bord ${n}`, phone: c.phone, email: c.email, country_id: 75, lang: 'fr_FR' });
    // No practitioner: cases running side by side never take each other's proposed slots.
    demo['calendar.event']!.push({ id: c.eventId, name: 'Soins à domicile', start, stop, partner_ids: [c.partnerId], location: 'Domicile' });
  }
  return { data: demo, cases };
}

export async function startEdgeStack(opts: { cases: number; storeDir?: string; activityTimeoutMs?: number }): Promise<EdgeStack> {
  const { data, cases } = fixtures(opts.cases);
  const odooSim = await startOdooSimulator({ fixtures: data });
  const brevoSim = await startBrevoSimulator({ apiKey: 'edge-brevo-key' });
  const odooProxy = await startFaultProxy(odooSim.url);
  const brevoProxy = await startFaultProxy(brevoSim.url);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ODOO_URL: odooProxy.url, ODOO_DB: odooSim.db, ODOO_LOGIN: 'admin', ODOO_PASSWORD: 'admin', ODOO_TIMEOUT_MS: '2000',
    BREVO_API_KEY: 'edge-brevo-key', BREVO_BASE_URL: brevoProxy.url, BREVO_SMS_SENDER: 'Cabinet', BREVO_EMAIL_SENDER: 'Cabinet <rdv@cabinet.example>',
    BREVO_TIMEOUT_MS: '2000',
    API_STORE_DIR: opts.storeDir ?? 'memory://',
    RATE_IP_EXEMPT: '127.0.0.1,::1,::ffff:127.0.0.1',
  };
  let api = await startLocalApi(env, { port: 0 });
  const apiPort = new URL(api.url).port;
  const apiProxy = await startFaultProxy(api.url);

  const address = process.env.TEMPORAL_ADDRESS!;
  const taskQueue = `edges-${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const sealKey = sealKeyFromEnv(process.env);
  const worker: Worker = await createSessionWorker({
    connection: nativeConnection, taskQueue, backendUrl: apiProxy.url, sealKey,
    // A slow API answer costs 3 s here, not 20: the activity's own per-attempt bound.
    extraActivities: { ...createBackendActivities({ baseUrl: apiProxy.url, sealKey, timeoutMs: opts.activityTimeoutMs ?? 3000 }) },
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, dataConverter: dataConverter() });
  const machine = loadMachine(path.join(ROOT, 'machines', 'rdv-ivr.yaml'));

  return {
    odooSim, brevoSim, odooProxy, brevoProxy, apiProxy, client, machine, cases,
    get api() {
      return api;
    },
    async restartApi(downMs: number) {
      await api.stop();
      await new Promise((r) => setTimeout(r, downMs));
      api = await startLocalApi(env, { port: Number(apiPort) });
    },
    async start(c: CaseRecord): Promise<Session> {
      const handle = await startSessionWorkflow(client, { machine, channel: 'web', callId: `edge-${c.n}-${crypto.randomUUID()}`, caller: c.phone }, { taskQueue });
      return {
        handle,
        async send(input) {
          const event: CallerInput = 'dtmf' in input
            ? { eventId: crypto.randomUUID(), kind: 'dtmf', digits: input.dtmf }
            : { eventId: crypto.randomUUID(), kind: 'text', text: input.text };
          return (await handle.executeUpdate(inputUpdate, { args: [event] })) as SessionView;
        },
      };
    },
    async stop() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await apiProxy.close();
      await api.stop();
      await odooProxy.close();
      await brevoProxy.close();
      await odooSim.stop();
      await brevoSim.stop();
    },
  } as EdgeStack;
}

/** The code of the latest OTP SMS sent to this case's phone. */
export function latestCode(brevo: BrevoSimulator, c: CaseRecord): string | null {
  const sms = brevo.outbox.filter((m) => m.channel === 'sms' && m.to.includes(c.digits) && /code de connexion/.test(m.content ?? ''));
  const m = /(\d{6})/.exec(sms.at(-1)?.content ?? '');
  return m ? m[1]! : null;
}
