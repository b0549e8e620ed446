/**
 * The one fallback policy for the peers (Odoo, Brevo, the OpenAI-compatible speech/extraction server), used by the
 * local API, the in-process local stack and the supervised `npm start` stack:
 *  - a peer whose variable is set is used where the environment says (ODOO_URL; BREVO_API_KEY with BREVO_BASE_URL,
 *    else api.brevo.com; OPENAI_API_KEY with OPENAI_BASE_URL, else api.openai.com), real or not;
 *  - a peer whose variable is unset gets its simulator, started here with one set of defaults (PEER_DEFAULTS), and
 *    the variables pointing the product at it (simulatorEnv);
 *  - a configured URL is identified as a simulator when it answers the simulator's documented control route
 *    (Brevo: `GET <base>/_sim/outbox`, OpenAI-compatible: `GET /_sim/requests`): a Brevo simulator behind a proxy
 *    is still read through its outbox, and the banner says "simulator at URL" or "real at URL".
 */
import path from 'node:path';
import { z } from 'zod';
import { startBrevoSimulator, type BrevoSimulator } from '../sim/brevo';
import { startOdooSimulator, type OdooSimulator } from '../sim/odoo/server';
import { startOpenAiSimulator, type OpenAiSimulator } from '../sim/openai';

export type PeerName = 'odoo' | 'brevo' | 'openai';
export const PEER_NAMES: readonly PeerName[] = ['odoo', 'brevo', 'openai'];

/** The one set of defaults for simulated peers. */
export const PEER_DEFAULTS = {
  odoo: { fixtures: path.join(__dirname, '..', 'sim', 'odoo', 'fixtures', 'demo.json'), login: 'admin', password: 'admin' },
  brevo: { apiKey: 'local-brevo-key', smsSender: 'Cabinet', emailSender: 'Cabinet <rdv@cabinet.example>', realUrl: 'https://api.brevo.com' },
  openai: { apiKey: 'local-openai-key', realUrl: 'https://api.openai.com/v1' },
} as const;

/** The variable whose presence means "this peer is configured". */
const DECIDING_VARIABLE: Record<PeerName, string> = { odoo: 'ODOO_URL', brevo: 'BREVO_API_KEY', openai: 'OPENAI_API_KEY' };

const LABEL: Record<PeerName, string> = { odoo: 'Odoo', brevo: 'Brevo', openai: 'Speech (STT)' };

export type PeerChoice = { peer: PeerName; mode: 'simulate' } | { peer: PeerName; mode: 'configured'; url: string; variable: string };

function set(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

/** Real (configured) or simulator, per peer, from the environment alone. */
export function choosePeer(peer: PeerName, env: NodeJS.ProcessEnv): PeerChoice {
  const variable = DECIDING_VARIABLE[peer];
  if (!set(env, variable)) return { peer, mode: 'simulate' };
  if (peer === 'odoo') return { peer, mode: 'configured', url: set(env, 'ODOO_URL')!, variable };
  if (peer === 'brevo') return { peer, mode: 'configured', url: set(env, 'BREVO_BASE_URL') ?? PEER_DEFAULTS.brevo.realUrl, variable };
  return { peer, mode: 'configured', url: set(env, 'OPENAI_BASE_URL') ?? PEER_DEFAULTS.openai.realUrl, variable };
}

export function choosePeers(env: NodeJS.ProcessEnv): Record<PeerName, PeerChoice> {
  return { odoo: choosePeer('odoo', env), brevo: choosePeer('brevo', env), openai: choosePeer('openai', env) };
}

/** What a started simulator tells the rest of the stack (plain JSON: it crosses process boundaries in `npm start`). */
export const simulatorFactsSchema = z.object({
  peer: z.enum(['odoo', 'brevo', 'openai']),
  url: z.url(),
  /** Odoo only: database name and the simulated version. */
  db: z.string().min(1).optional(),
  version: z.number().optional(),
});
export type SimulatorFacts = z.infer<typeof simulatorFactsSchema>;

type Started<P extends PeerName, H> = { kind: P; facts: SimulatorFacts; stop(): Promise<void>; /** For tests and in-process callers. */ handle: H };
export type StartedSimulator =
  | Started<'odoo', OdooSimulator>
  | Started<'brevo', BrevoSimulator>
  | Started<'openai', OpenAiSimulator>;

export interface StartSimulatorOptions {
  host?: string;
  /** 0 or omitted: a free port. */
  port?: number;
  /** Odoo only: the records loaded (the demo fixture when omitted). */
  odooFixtures?: import('../sim/odoo/server').OdooFixtures | string;
}

/** A URL other processes on this machine can use, whatever interface the server listens on. */
export function loopbackUrl(url: string): string {
  const u = new URL(url);
  if (u.hostname === '0.0.0.0' || u.hostname === '[::]') u.hostname = '127.0.0.1';
  return u.toString().replace(/\/$/, '');
}

/** Starts one peer's simulator with the shared defaults. */
export async function startSimulator(peer: PeerName, opts: StartSimulatorOptions = {}): Promise<StartedSimulator> {
  const where = { ...(opts.port !== undefined ? { port: opts.port } : {}), ...(opts.host ? { host: opts.host } : {}) };
  if (peer === 'odoo') {
    const sim = await startOdooSimulator({ ...where, fixtures: opts.odooFixtures ?? PEER_DEFAULTS.odoo.fixtures });
    return { kind: peer, facts: { peer, url: loopbackUrl(sim.url), db: sim.db, version: sim.version }, stop: () => sim.stop(), handle: sim };
  }
  if (peer === 'brevo') {
    const sim = await startBrevoSimulator({ ...where, apiKey: PEER_DEFAULTS.brevo.apiKey });
    return { kind: peer, facts: { peer, url: loopbackUrl(sim.url) }, stop: () => sim.stop(), handle: sim };
  }
  const sim = await startOpenAiSimulator({ ...where, apiKey: PEER_DEFAULTS.openai.apiKey });
  return { kind: peer, facts: { peer, url: loopbackUrl(sim.url) }, stop: () => sim.stop(), handle: sim };
}

/** The variables that point the product at a started simulator (senders only when the environment has none). */
export function simulatorEnv(facts: SimulatorFacts, env: NodeJS.ProcessEnv): Record<string, string> {
  switch (facts.peer) {
    case 'odoo':
      if (!facts.db) throw new Error(`the Odoo simulator at ${facts.url} reported no database name`);
      return { ODOO_URL: facts.url, ODOO_DB: facts.db, ODOO_LOGIN: PEER_DEFAULTS.odoo.login, ODOO_PASSWORD: PEER_DEFAULTS.odoo.password };
    case 'brevo':
      return {
        BREVO_API_KEY: PEER_DEFAULTS.brevo.apiKey,
        BREVO_BASE_URL: facts.url,
        BREVO_SMS_SENDER: set(env, 'BREVO_SMS_SENDER') ?? PEER_DEFAULTS.brevo.smsSender,
        BREVO_EMAIL_SENDER: set(env, 'BREVO_EMAIL_SENDER') ?? PEER_DEFAULTS.brevo.emailSender,
      };
    case 'openai':
      // No model behind the simulator: captures use the French parser alone.
      return { OPENAI_API_KEY: PEER_DEFAULTS.openai.apiKey, OPENAI_BASE_URL: facts.url, CRM_USE_LLM: set(env, 'CRM_USE_LLM') ?? 'false' };
  }
}

/** Where a simulator's control routes live, from the base URL the product is given. */
export function controlUrl(peer: 'brevo' | 'openai', baseUrl: string, route: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  // BREVO_BASE_URL is the root the client adds /v3 to; OPENAI_BASE_URL ends in /v1, the controls sit beside it.
  const root = peer === 'openai' ? base.replace(/\/v1$/, '') : base;
  return `${root}${route}`;
}

const PROBE_ROUTE: Partial<Record<PeerName, { route: string; looksRight: (body: unknown) => boolean }>> = {
  brevo: { route: '/_sim/outbox', looksRight: (b) => Array.isArray(b) },
  openai: { route: '/_sim/requests', looksRight: (b) => typeof b === 'object' && b !== null && Array.isArray((b as { transcriptions?: unknown }).transcriptions) },
};

/** How a configured peer turned out: a simulator (it answers the control route), real, or not identifiable. */
export type PeerIdentity = 'simulator' | 'real' | 'unidentified';

/**
 * Asks a configured URL whether it is a simulator. Only the simulator's documented control route is asked (no key
 * sent; the public services are not asked); any other answer, an error or no answer within `timeoutMs` means
 * "real". Odoo has no such route: 'unidentified'.
 */
export async function identifyPeer(peer: PeerName, url: string, opts: { timeoutMs?: number; fetchImpl?: typeof fetch } = {}): Promise<PeerIdentity> {
  const probe = PROBE_ROUTE[peer];
  if (!probe || peer === 'odoo') return 'unidentified';
  // The public services are never asked for a simulator's route.
  const publicUrl = peer === 'brevo' ? PEER_DEFAULTS.brevo.realUrl : PEER_DEFAULTS.openai.realUrl;
  if (url.replace(/\/+$/, '') === publicUrl) return 'real';
  const doFetch = opts.fetchImpl ?? fetch;
  try {
    const res = await doFetch(controlUrl(peer, url, probe.route), { signal: AbortSignal.timeout(opts.timeoutMs ?? 3000) });
    if (!res.ok) return 'real';
    return probe.looksRight(await res.json()) ? 'simulator' : 'real';
  } catch {
    return 'real';
  }
}

/** The state of one peer once the stack is up. */
export interface PeerStatus {
  peer: PeerName;
  url: string;
  /** Started by this stack, or found behind a configured URL. */
  origin: 'started' | 'configured';
  identity: PeerIdentity;
  /** Odoo simulator only. */
  db?: string;
  version?: number;
}

export function startedStatus(facts: SimulatorFacts): PeerStatus {
  return {
    peer: facts.peer,
    url: facts.url,
    origin: 'started',
    identity: 'simulator',
    ...(facts.db ? { db: facts.db } : {}),
    ...(facts.version !== undefined ? { version: facts.version } : {}),
  };
}

export async function configuredStatus(choice: Extract<PeerChoice, { mode: 'configured' }>, opts: { timeoutMs?: number; fetchImpl?: typeof fetch } = {}): Promise<PeerStatus> {
  return { peer: choice.peer, url: choice.url, origin: 'configured', identity: await identifyPeer(choice.peer, choice.url, opts) };
}

/** The banner line of a peer: "simulator at URL", "real at URL" (Odoo, which cannot be told: "at URL (ODOO_URL)"). */
export function describePeer(s: PeerStatus): string {
  const label = LABEL[s.peer].padEnd(14);
  const variable = DECIDING_VARIABLE[s.peer];
  if (s.identity === 'unidentified') return `${label}at ${s.url} (${variable}; not probed)`;
  if (s.identity === 'real') return `${label}real at ${s.url}`;
  const details: string[] = [s.origin === 'started' ? 'started here' : `behind ${variable === 'ODOO_URL' ? variable : `${variable} and its base URL`}`];
  if (s.peer === 'odoo') details.push(`Odoo ${s.version ?? '?'}, db ${s.db ?? '?'}, ${PEER_DEFAULTS.odoo.login}/${PEER_DEFAULTS.odoo.password}`);
  if (s.peer === 'brevo') details.push(`outbox at ${controlUrl('brevo', s.url, '/_sim/outbox')}`);
  // It answers with the transcripts it is given: a recording from a microphone comes back empty.
  if (s.peer === 'openai') details.push('OpenAI-compatible; hears no live audio: to dictate, see README "Local speech-to-text"');
  return `${label}simulator at ${s.url} (${details.join('; ')})`;
}

/** One outbox message as the Brevo simulator's `GET /_sim/outbox` returns it (the fields scripts read). */
export const outboxEntrySchema = z.object({
  messageId: z.string(),
  channel: z.enum(['sms', 'email', 'whatsapp']),
  to: z.array(z.string()),
  content: z.string().optional(),
  subject: z.string().optional(),
  html: z.string().optional(),
  text: z.string().optional(),
  params: z.record(z.string(), z.unknown()).optional(),
});
export type OutboxEntry = z.infer<typeof outboxEntrySchema>;

/** Reads a Brevo simulator's outbox through its URL, whoever started it (this process, another, behind a proxy). */
export async function readBrevoOutbox(baseUrl: string, opts: { timeoutMs?: number; fetchImpl?: typeof fetch } = {}): Promise<OutboxEntry[]> {
  const url = controlUrl('brevo', baseUrl, '/_sim/outbox');
  const doFetch = opts.fetchImpl ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 5000) });
  } catch (err) {
    throw new Error(`cannot read the Brevo simulator's outbox at ${url}: ${err instanceof Error ? err.message : String(err)}; is the simulator (or the proxy in front of it) still running?`);
  }
  if (!res.ok) throw new Error(`the Brevo outbox at ${url} answered HTTP ${res.status}: BREVO_BASE_URL must lead to a Brevo simulator (npx ivr sim brevo) for otp: and expect.sent steps`);
  const parsed = z.array(outboxEntrySchema).safeParse(await res.json().catch(() => undefined));
  if (!parsed.success) throw new Error(`the Brevo outbox at ${url} is not a list of messages (${parsed.error.issues[0]?.message ?? 'unreadable'}): is it a Brevo simulator?`);
  return parsed.data;
}
