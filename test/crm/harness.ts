/**
 * Test harness of the voice → CRM capture: the Odoo simulator (one version), the OpenAI-compatible simulator, a
 * Temporal worker on the shared dev server running crmCaptureWorkflow with the real crm activities, and an HTTP
 * server with the CRM router. French speech is synthesized with espeak-ng.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createCrmActivities, type CrmActivities } from '../../activities/crm';
import { createCrmExtractor } from '../../lib/crm/extractor';
import { createLlmContactExtractor } from '../../lib/extraction/llm';
import { testConfig } from '../../api/config';
import { createCrmRouter, type CrmRouterDeps } from '../../api/crm/router';
import { startApiServer } from '../../api/server';
import { ensureOperator } from '../../api/services/operators';
import { ApiStore } from '../../api/store/store';
import { brevoConfigFromEnv } from '../../lib/brevo/client';
import { dataConverter, FAILURE_CONVERTER_PATH } from '../../lib/codec/data-converter';
import { createLogger } from '../../lib/log';
import { createOdooClient, type OdooClient } from '../../lib/odoo/client';
import { createTranscriber } from '../../lib/stt/transcriber';
import { startOdooSimulator, type OdooSimulator, type OdooVersion } from '../../sim/odoo/server';
import { startOpenAiSimulator, type OpenAiSimulator } from '../../sim/openai';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
function crmBundle() {
  const noop = () => undefined;
  bundle ??= bundleWorkflowCode({
    workflowsPath: path.join(__dirname, '..', '..', 'workflows', 'crm-capture.ts'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: { trace: noop, debug: noop, info: noop, log: noop, warn: console.warn, error: console.error },
  });
  return bundle;
}

export interface Harness {
  odooSim: OdooSimulator;
  openai: OpenAiSimulator;
  odoo: OdooClient;
  baseUrl: string;
  /** Operator token the request helpers below send to baseUrl (the CRM routes are operator routes). */
  operatorToken: string;
  /** Wraps an activity for one test (e.g. inject a failure just before it runs); reset after each test. */
  /** Makes the worker's Odoo client read (and cache) a model's fields now, so a later failure hits the call meant. */
  primeWorkerFields(...models: string[]): Promise<void>;
  hooks: { beforeOdooCall?: (model: string, method: string) => void };
  wrap: Partial<{ [K in keyof CrmActivities]: (real: CrmActivities[K], ...args: Parameters<CrmActivities[K]>) => ReturnType<CrmActivities[K]> }>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  version?: OdooVersion;
  phonenumbers?: boolean;
  limits?: CrmRouterDeps['limits'];
  /** CRM_LEAD_DEDUP_HOURS of the routes (the product's default when absent). */
  leadDedupHours?: number;
  /** Odoo client request timeout (short to test lost answers). */
  odooTimeoutMs?: number;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const odooSim = await startOdooSimulator({ version: opts.version ?? 19, phonenumbers: opts.phonenumbers ?? true });
  const openai = await startOpenAiSimulator({ apiKey: 'sk-test' });
  const odooConfig = { url: odooSim.url, db: odooSim.db, login: 'admin', password: 'admin', retries: 1, backoffBaseMs: 10, timeoutMs: opts.odooTimeoutMs ?? 5000 };
  const odoo = createOdooClient(odooConfig);
  const workerOdoo = createOdooClient(odooConfig);
  const llm = createLlmContactExtractor({ apiKey: 'sk-test', baseURL: openai.url, model: 'gpt-4o-mini', timeoutMs: 5000, maxRetries: 0 });
  const transcriber = createTranscriber({
    apiKey: 'sk-test', baseURL: openai.url, model: 'whisper-1', language: 'fr', timeoutMs: 5000, maxRetries: 0, maxDurationSeconds: 60, promptMaxChars: 400,
  });
  const hooks: Harness['hooks'] = {};
  // the worker's Odoo port, with a hook a test uses to inject a wire failure right before one given call
  const workerPort = {
    fields: (model: string) => workerOdoo.fields(model),
    callKw: <T>(model: string, method: string, args?: unknown[], kwargs?: Record<string, unknown>) => {
      hooks.beforeOdooCall?.(model, method);
      return workerOdoo.callKw<T>(model, method, args, kwargs);
    },
  };
  const real = createCrmActivities({ odoo: workerPort, transcriber, llm });
  const wrap: Harness['wrap'] = {};
  const activities = Object.fromEntries(
    (Object.keys(real) as Array<keyof CrmActivities>).map((name) => [
      name,
      (...args: unknown[]) => {
        const w = wrap[name] as ((r: unknown, ...a: unknown[]) => Promise<unknown>) | undefined;
        const fn = real[name] as (...a: unknown[]) => Promise<unknown>;
        return w ? w(fn, ...args) : fn(...args);
      },
    ]),
  );
  const taskQueue = `crm-test-${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
  const address = process.env.TEMPORAL_ADDRESS!;
  const native = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection: native, taskQueue, workflowBundle: await crmBundle(), activities, dataConverter: dataConverter(),
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const temporalClient = new Client({ connection, dataConverter: dataConverter() });

  // The CRM routes are served the way the product serves them: inside the API (operator authentication, audit,
  // error answers), on a throwaway store, with an operator token the helpers below send.
  const store = await ApiStore.open({ dataDir: 'memory://' });
  const api = await startApiServer({
    port: 0, host: '127.0.0.1', store, odoo,
    brevo: { config: brevoConfigFromEnv({ BREVO_API_KEY: 'unused', BREVO_BASE_URL: 'http://127.0.0.1:9', BREVO_SMS_SENDER: 'Cabinet', BREVO_EMAIL_SENDER: 'rdv@cabinet.example' }) },
    config: testConfig(), log: createLogger('api-test', { level: 'silent' }),
    routers: [createCrmRouter({
      odoo, extraction: createCrmExtractor({ llm }), transcriber, temporalClient, taskQueue,
      logger: createLogger('crm-test', { level: 'silent' }), limits: opts.limits,
      ...(opts.leadDedupHours !== undefined ? { leadDedupHours: opts.leadDedupHours } : {}),
    })],
  });
  const baseUrl = api.url;
  const { token: operatorToken } = await ensureOperator(api.deps, 'crm-test');
  operatorTokens.set(baseUrl, operatorToken);
  return {
    odooSim, openai, odoo, baseUrl, operatorToken, wrap, hooks,
    async primeWorkerFields(...models) {
      for (const m of models) await workerOdoo.fields(m);
    },
    async close() {
      operatorTokens.delete(baseUrl);
      await api.stop();
      await store.close();
      worker.shutdown();
      await running;
      await native.close();
      await connection.close();
      await odoo.close();
      await workerOdoo.close();
      await openai.stop();
      await odooSim.stop();
    },
  };
}

/** French speech as WAV, synthesized by espeak-ng (installed by the project's bootstrap). */
export function speak(text: string): Buffer {
  const file = path.join(os.tmpdir(), `crm-${crypto.randomUUID()}.wav`);
  try {
    execFileSync('espeak-ng', ['-v', 'fr', '-s', '170', '-w', file, text]);
    return fs.readFileSync(file);
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** Operator tokens of the running harnesses, by base URL: the helpers authenticate unless told otherwise. */
const operatorTokens = new Map<string, string>();

/** Authorization for a harness request; pass `authorization: ''` to send none. */
export function withOperator(baseUrl: string, headers: Record<string, string>): Record<string, string> {
  const token = operatorTokens.get(baseUrl);
  if ('authorization' in headers) {
    const { authorization, ...rest } = headers;
    return authorization ? { ...rest, authorization } : rest;
  }
  return token ? { ...headers, authorization: `Bearer ${token}` } : headers;
}

export async function postJson(baseUrl: string, p: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}${p}`, { method: 'POST', headers: withOperator(baseUrl, { 'content-type': 'application/json', ...headers }), body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

export async function postAudio(baseUrl: string, audio: Uint8Array, fileName: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('audio', new Blob([audio]), fileName);
  const res = await fetch(`${baseUrl}/crm/voice-contacts`, { method: 'POST', body: form, headers: withOperator(baseUrl, headers) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

export async function getJson(baseUrl: string, p: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}${p}`, { headers: withOperator(baseUrl, headers) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** Partners the capture created (the simulator's seeded admin/company partners excluded). */
export function capturedPartners(sim: OdooSimulator) {
  return sim.records('res.partner').filter((p) => typeof p.comment === 'string' && p.comment.includes('[capture:'));
}
