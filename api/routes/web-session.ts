/**
 * The portal's web sessions: a browser starts (or resumes) a `web-<id>` session of the portal's machine, sends each
 * click or typed value as the workflow's `input` update (which answers with the next view), and reads the current
 * view. The browser never holds a session token of the backend: it holds one credential, an HttpOnly
 * SameSite=Strict cookie naming its web session with a MAC (key derived from SESSION_KEY), so a session id seen
 * elsewhere (the Temporal UI, a log) opens nothing without it. The backend token a login or a magic link yields
 * lives in the session's ctx sealed for that session (lib/secrets/seal.ts); a code typed in an `otp` field is
 * sealed here before it reaches the workflow.
 *
 *   GET  /portal/api/session          the current view (401 no_session when there is none)
 *   POST /portal/api/session          {restart?: true}: resumes the running session, or starts one (first screen)
 *   POST /portal/api/input            {eventId, choice | text}: applies it once, answers the next view
 *   POST /portal/api/link             {token}: spends a magic link, starts a session continuing the call; for a number
 *                                     that belongs to no client, the page joins the call itself while it runs (a
 *                                     caller of the voice CRM types the e-mail speech could not catch)
 *   POST /portal/api/logout           ends the session and forgets the cookie
 *
 * CSRF: the cookie is SameSite=Strict, every POST must be `application/json` (a cross-site form cannot send it
 * without a CORS preflight this API never grants) and an Origin header, when present, must be this host's.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { loadMachine } from '../../lib/machine/loader';
import type { CompiledMachine, JsonValue } from '../../lib/machine/model';
import { seal, sealKeyFromEnv, type SealKey } from '../../lib/secrets/seal';
import { machineStartingAt, startSessionWithFirstView } from '../../sessions/start';
import { DEFAULT_WEB_IDLE_MINUTES, DEFAULT_WEB_SESSION_MINUTES } from '../../workflows/shell/waiting';
import { inputSignal, inputUpdate, sessionWorkflowId, traceQuery, viewQuery, type CallerInput, type SessionView } from '../../workflows/session-api';
import type { ApiDeps } from '../deps';
import { ApiError, toApiError } from '../errors';
import { sendError, validate } from '../http';
import { ADDRESS_LIMITED_PATHS, clientRef, RELAY_SESSION_HEADER, RELAY_TOKEN_HEADER, runRelayed } from '../services/client-address';
import { enforceLimits } from '../services/rate-limit';
import { kit } from './context';
import { exchangePortalLink, linkTokenSchema } from './portal';

export const PORTAL_COOKIE = 'care_portal';

export interface WebSessionOptions {
  client: Client;
  taskQueue: string;
  /** The machine every portal session runs (frozen into each session at its start). */
  machine: CompiledMachine;
  /** Seals codes and backend tokens for the session (the session workers must hold the same key). */
  sealKey?: SealKey;
  /** How long the browser's credential lives (default: the session's web_session_minutes; renewed at each input). */
  credentialMinutes?: number;
  /** How long a start waits for the first screen. */
  firstViewTimeoutMs?: number;
  /**
   * Where a session opened by a magic link continues: after the login the link replaces, consent first unless the
   * call already recorded it, then the call's selected appointment or the list. States missing from the machine
   * fall back to the next one, then to the entry.
   */
  handover?: { consent: string; detail: string; list: string };
  /**
   * Session starts and link exchanges per client address (each start is a workflow): default 20 per 10 minutes;
   * addresses in RATE_IP_EXEMPT (the local stack's own) are not counted.
   */
  startLimit?: { max: number; windowSec: number };
}

const DEFAULT_HANDOVER = { consent: 'ivr.auth.consent', detail: 'ivr.appointment.detail', list: 'ivr.appointments.list.upcoming' };

/** What the browser renders: the session's view, reduced to what a screen shows (no ctx beyond the lists). */
export interface PortalView {
  state: string;
  screen: string | null;
  prompts: string[];
  lastPrompt: string | null;
  choices: { id: string; label: string }[];
  collect: { mode: string; length?: number } | null;
  turn: number;
  ended: { outcome: string; state: string } | null;
  appointments: JsonValue[] | null;
  selectedAppointmentId: JsonValue | null;
  slots: JsonValue[] | null;
  /**
   * When the last answer was not understood or not valid here: how many times in this visit, and after how many the
   * session moves on (null when the machine gives no limit).
   */
  missed: { count: number; max: number | null } | null;
}

export function portalView(v: SessionView, missed: PortalView['missed'] = null): PortalView {
  const list = (x: JsonValue | undefined) => (Array.isArray(x) ? x : null);
  const collect = v.listen?.collect;
  return {
    state: v.state,
    screen: v.screen ?? null,
    prompts: v.prompts,
    lastPrompt: v.lastPrompt ?? null,
    choices: v.listening ? (v.listen?.choices ?? []).map((c) => ({ id: c.id, label: c.label })) : [],
    collect: v.listening && collect ? { mode: collect.mode, ...(collect.length !== undefined ? { length: collect.length } : {}) } : null,
    turn: v.turn,
    ended: v.ended ?? null,
    appointments: list(v.ctx['appt_list']),
    selectedAppointmentId: v.ctx['appt_selected_id'] ?? null,
    slots: list(v.ctx['slots']),
    missed,
  };
}

/** The limit of misses in a state: its collect's retry, else its no-match block, else the machine's max_nomatch. */
function missLimit(machine: CompiledMachine, state: string, invalid: boolean): number | null {
  const s = machine.states[state];
  if (!s) return null;
  if (invalid && s.collect?.retry) return s.collect.retry.max;
  if (s.nomatch) return s.nomatch.max;
  const g = machine.globals['max_nomatch'];
  return typeof g === 'number' ? g : null;
}

// ---------- the browser's credential ----------

const SESSION_ID = /^(call-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A browser that joined a phone call through the call's SMS link holds `call-<FreeSWITCH uuid>`: its inputs go to
 * the call's own session (`voice-<uuid>`), the same workflow the phone drives. Leaving the page never ends the call.
 */
const CALL_PREFIX = 'call-';
const CALL_SESSION = /^voice-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

function workflowIdOf(id: string): string {
  return id.startsWith(CALL_PREFIX) ? sessionWorkflowId('voice', id.slice(CALL_PREFIX.length)) : sessionWorkflowId('web', id);
}

function macKey(sessionKey: string): Buffer {
  return crypto.createHash('sha256').update(`portal-credential:v1:${sessionKey}`).digest();
}

function mac(key: Buffer, id: string, exp: number): string {
  return crypto.createHmac('sha256', key).update(`${id}.${exp}`).digest('base64url');
}

export function issueCredential(key: Buffer, id: string, exp: number): string {
  return `${id}.${exp}.${mac(key, id, exp)}`;
}

/** The web session id behind a credential, or null when it is malformed, forged or expired. */
export function checkCredential(key: Buffer, value: string | undefined, nowSec: number): string | null {
  if (!value) return null;
  const [id, expText, given, extra] = value.split('.');
  if (!id || !expText || !given || extra !== undefined || !SESSION_ID.test(id) || !/^\d{1,12}$/.test(expText)) return null;
  const exp = Number(expText);
  const want = Buffer.from(mac(key, id, exp));
  const got = Buffer.from(given);
  if (want.length !== got.length || !crypto.timingSafeEqual(want, got)) return null;
  return exp > nowSec ? id : null;
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

// ---------- request bodies ----------

const eventId = z.string().regex(/^[A-Za-z0-9_-]{8,100}$/, 'an event id: 8 to 100 letters, digits, - or _ (one per click, reused on retry)');
const startBody = z.strictObject({ restart: z.boolean().optional() });
const inputBody = z
  .strictObject({ eventId, choice: z.string().min(1).max(100).optional(), text: z.string().max(500).optional() })
  .refine((b) => (b.choice === undefined) !== (b.text === undefined), { message: 'give exactly one of choice (a choice id of the view) or text (the field’s value)' });
const linkBody = z.strictObject({ token: linkTokenSchema });

// ---------- router ----------

const DEPS_ROUTER = Symbol.for('care-ivr.deps-router');
type Binder = (deps: ApiDeps) => Router;

/**
 * A router that needs the API's deps (store, sessions, config): createApp binds it. Mounted elsewhere it answers 500
 * route_not_mounted, like the route table's routers.
 */
export function boundRouterOf(router: Router): Binder | null {
  return (router as Router & { [DEPS_ROUTER]?: Binder })[DEPS_ROUTER] ?? null;
}

export function webSessionRouter(opts: WebSessionOptions): Router {
  const placeholder = express.Router();
  placeholder.use('/portal/api', (_req: Request, res: Response) => {
    sendError(res, new ApiError(500, 'route_not_mounted', 'The portal routes must be served through the API (createApp).'), String(res.locals.requestId ?? ''));
  });
  return Object.assign(placeholder, { [DEPS_ROUTER]: (deps: ApiDeps) => bindWebSessionRouter(opts, deps) });
}

/** The portal routes wired from the environment: PORTAL_MACHINE (default machines/rdv-ivr.yaml), SECRET_SEAL_KEY. */
const limitEnv = z.object({
  RATE_PORTAL_START_PER_IP: z.coerce.number().int().min(1).default(20),
  RATE_PORTAL_START_WINDOW_SEC: z.coerce.number().int().min(1).default(600),
});

/**
 * The portal routes wired from the environment: PORTAL_MACHINE (default machines/rdv-ivr.yaml), SECRET_SEAL_KEY,
 * RATE_PORTAL_START_PER_IP / RATE_PORTAL_START_WINDOW_SEC.
 */
export function webSessionRouterFromEnv(env: NodeJS.ProcessEnv, opts: { client: Client; taskQueue: string }): Router {
  const file = env.PORTAL_MACHINE ?? path.join(__dirname, '..', '..', 'machines', 'rdv-ivr.yaml');
  const limits = limitEnv.safeParse(env);
  if (!limits.success) {
    throw new Error(`Invalid portal limits in the environment: ${limits.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}; fix them and start again.`);
  }
  return webSessionRouter({
    client: opts.client, taskQueue: opts.taskQueue, machine: loadMachine(file), sealKey: sealKeyFromEnv(env),
    startLimit: { max: limits.data.RATE_PORTAL_START_PER_IP, windowSec: limits.data.RATE_PORTAL_START_WINDOW_SEC },
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function bindWebSessionRouter(opts: WebSessionOptions, deps: ApiDeps): Router {
  const router = express.Router();
  const key = macKey(deps.config.SESSION_KEY);
  const sealKey = opts.sealKey ?? sealKeyFromEnv();
  const firstViewTimeoutMs = opts.firstViewTimeoutMs ?? 15_000;
  const handover = opts.handover ?? DEFAULT_HANDOVER;
  const secure = deps.config.API_PUBLIC_URL.startsWith('https:');
  // A reader is not a silent caller: the portal's sessions always carry the web waiting rule (shell/waiting.ts).
  const g = opts.machine.globals;
  const webGlobals = {
    web_idle_minutes: typeof g.web_idle_minutes === 'number' ? g.web_idle_minutes : DEFAULT_WEB_IDLE_MINUTES,
    web_session_minutes: typeof g.web_session_minutes === 'number' ? g.web_session_minutes : DEFAULT_WEB_SESSION_MINUTES,
  };
  const credentialSec = Math.round((opts.credentialMinutes ?? webGlobals.web_session_minutes) * 60);
  const nowSec = () => Math.floor(deps.clock.now().getTime() / 1000);
  const handle = (id: string): WorkflowHandle => opts.client.workflow.getHandle(workflowIdOf(id));

  /** The last view answered per session (bounded; oldest out first), to check a click without a query. */
  const lastViews = new Map<string, SessionView>();
  const remember = (id: string, v: SessionView) => {
    lastViews.delete(id);
    lastViews.set(id, v);
    if (lastViews.size > 10_000) lastViews.delete(lastViews.keys().next().value as string);
  };

  const setCookie = (res: Response, id: string) => {
    const exp = nowSec() + credentialSec;
    res.append('Set-Cookie', `${PORTAL_COOKIE}=${issueCredential(key, id, exp)}; Path=/portal; HttpOnly; SameSite=Strict; Max-Age=${credentialSec}${secure ? '; Secure' : ''}`);
  };
  const clearCookie = (res: Response) => {
    res.append('Set-Cookie', `${PORTAL_COOKIE}=; Path=/portal; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`);
  };
  const sessionOf = (req: Request): string | null => checkCredential(key, readCookie(req, PORTAL_COOKIE), nowSec());
  const requireSession = (req: Request): string => {
    const id = sessionOf(req);
    if (!id) throw new ApiError(401, 'no_session', 'No portal session: open the portal to start one (POST /portal/api/session).');
    return id;
  };

  const startLimit = opts.startLimit ?? { max: 20, windowSec: 600 };
  /** Each start is a workflow: bounded per client address (429 with Retry-After). */
  const limitStarts = async (req: Request) => {
    const ip = req.ip ?? '';
    if (kit(deps).ipExempt(ip)) return;
    // The bucket names the address by its keyed hash, like the code limits: the store never holds it in clear.
    await enforceLimits(deps.store, deps.clock.now(), [{ bucket: `portal-start:client:${clientRef(deps.config.SESSION_KEY, ip)}`, ...startLimit }], 'Too many portal sessions from this address; retry later.');
  };

  /**
   * A new session and its first screen in one round trip (Update-with-Start of the `firstView` update): no start
   * followed by queries until the session waits. The id is new at each start (a restart never reuses an old one).
   */
  const start = async (req: Request, res: Response, ctx: Record<string, JsonValue>, machine: CompiledMachine, makeCtx?: (workflowId: string) => Record<string, JsonValue>) => {
    const id = crypto.randomUUID();
    const workflowId = sessionWorkflowId('web', id);
    // The browser's address, hashed, for the limits of the codes and links this session sends (none when exempt).
    const ip = req.ip ?? '';
    const ref = kit(deps).ipExempt(ip) ? null : clientRef(deps.config.SESSION_KEY, ip);
    rememberRef(workflowId, ref);
    // Set first: if the first screen is slow, a reload resumes this session instead of starting another.
    setCookie(res, id);
    const first = startSessionWithFirstView(
      opts.client,
      { machine, channel: 'web', callId: id, ctx: { ...ctx, ...(makeCtx ? makeCtx(workflowId) : {}) }, globals: webGlobals },
      { taskQueue: opts.taskQueue, ...(ref ? { memo: { clientRef: ref } } : {}) },
    );
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ApiError(503, 'session_slow', 'The session did not answer in time; reload the page to try again.', {}, { 'Retry-After': '2' })), firstViewTimeoutMs);
    });
    try {
      const view = await Promise.race([first, slow]);
      deps.log.info({ session: workflowId, state: machine.entry }, 'portal session started');
      remember(id, view);
      return portalView(view);
    } finally {
      clearTimeout(timer);
      first.catch(() => undefined);
    }
  };

  /** The current view, or null when the workflow is gone (retention passed, or never started). */
  const currentView = async (id: string): Promise<SessionView | null> => {
    try {
      const v = await handle(id).query(viewQuery);
      remember(id, v);
      return v;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        lastViews.delete(id);
        return null;
      }
      throw err;
    }
  };

  /** Same-origin JSON posts only (see the header comment). */
  const checkPost = (req: Request) => {
    if (!req.is('application/json')) throw new ApiError(415, 'json_required', 'Send the body as application/json.');
    const origin = req.get('origin');
    if (origin !== undefined && origin !== 'null') {
      let host: string | undefined;
      try {
        host = new URL(origin).host;
      } catch {
        host = undefined;
      }
      if (host !== req.get('host')) throw new ApiError(403, 'cross_origin', 'The portal answers its own pages only.');
    }
    if (origin === 'null') throw new ApiError(403, 'cross_origin', 'The portal answers its own pages only.');
  };

  const wrap = (fn: (req: Request, res: Response) => Promise<unknown>) => async (req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    try {
      if (req.method === 'POST') checkPost(req);
      const body = await fn(req, res);
      res.status(200).json(body);
    } catch (e) {
      const apiErr = toApiError(e);
      if (apiErr.status === 401) clearCookie(res);
      const log = apiErr.status >= 500 ? deps.log.error.bind(deps.log) : deps.log.info.bind(deps.log);
      log({ requestId: res.locals.requestId, route: `${req.method} ${req.path}`, errorCode: apiErr.code, status: apiErr.status, cause: e instanceof Error ? e.name : typeof e }, 'portal request failed');
      sendError(res, apiErr, String(res.locals.requestId ?? ''));
    }
  };

  /** The browser address's hash of each session this API started (bounded; the memo holds it for the others). */
  const refs = new Map<string, string | null>();
  function rememberRef(workflowId: string, ref: string | null) {
    refs.set(workflowId, ref);
    if (refs.size > 10_000) refs.delete(refs.keys().next().value as string);
  }
  const refOf = async (workflowId: string): Promise<string | null> => {
    const known = refs.get(workflowId);
    if (known !== undefined) return known;
    if (!/^web-[0-9a-f-]{36}$/.test(workflowId)) return null;
    try {
      const memo = (await opts.client.workflow.getHandle(workflowId).describe()).memo ?? {};
      const ref = typeof memo.clientRef === 'string' && /^[0-9a-f]{32}$/.test(memo.clientRef) ? memo.clientRef : null;
      rememberRef(workflowId, ref);
      return ref;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return null;
      throw err;
    }
  };

  /**
   * Code and link sends of a portal session reach the API from the session worker: with the worker's service
   * credential, the session it names decides whose address counts (services/client-address.ts). A claim without a
   * valid credential is ignored: the caller counts as itself.
   */
  router.use([...ADDRESS_LIMITED_PATHS], (req: Request, res: Response, next: (err?: unknown) => void) => {
    const session = req.get(RELAY_SESSION_HEADER);
    const token = req.get(RELAY_TOKEN_HEADER);
    if (session === undefined || token === undefined) {
      next();
      return;
    }
    void (async () => {
      const trusted = await kit(deps).operators.resolve(token).then(() => true, () => false);
      if (!trusted || !/^(web|voice)-[A-Za-z0-9._:-]{1,200}$/.test(session)) {
        deps.log.warn({ requestId: res.locals.requestId, path: req.path }, 'relayed session claim without a valid service token: counted as the caller');
        return next;
      }
      const ref = await refOf(session);
      return () => runRelayed({ session, ref }, () => next());
    })().then((go) => go(), (err: unknown) => next(err));
  });

  router.get('/portal/api/session', wrap(async (req) => {
    const id = requireSession(req);
    const v = await currentView(id);
    if (!v) throw new ApiError(401, 'session_expired', 'This portal session is over; start again.');
    return { view: portalView(v) };
  }));


  router.post('/portal/api/session', wrap(async (req, res) => {
    const body = validate(startBody, req.body ?? {}, 'body');
    const id = sessionOf(req);
    if (id && !body.restart) {
      const v = await currentView(id);
      if (v && !v.ended) return { view: portalView(v), resumed: true };
    }
    await limitStarts(req);
    // No hang-up cause: the session reads an unknown cause as a failed channel (FreeSWITCH's causes), and a person
    // starting again is an ordinary end; the event id says why.
    if (id && !id.startsWith(CALL_PREFIX)) await handle(id).signal(inputSignal, { eventId: `web-restart-${crypto.randomUUID()}`, kind: 'hangup' }).catch(() => undefined);
    return { view: await start(req, res, {}, opts.machine), resumed: false };
  }));

  router.post('/portal/api/input', wrap(async (req, res) => {
    const id = requireSession(req);
    const body = validate(inputBody, req.body, 'body');
    // A click is checked against the last view this API answered for the session (a query less per click); a
    // choice missing from it, a typed value (an OTP must be known as one) or no such view: the session is asked.
    const cached = body.choice !== undefined ? lastViews.get(id) : undefined;
    const offered = (v: SessionView | null | undefined) => v?.listen?.choices.find((c) => c.id === body.choice);
    const current = cached && !cached.ended && offered(cached) ? cached : await currentView(id);
    if (!current) throw new ApiError(401, 'session_expired', 'This portal session is over; start again.');
    if (current.ended) throw new ApiError(409, 'session_ended', 'This session has ended; start a new one.', { view: portalView(current) });
    let text: string;
    if (body.choice !== undefined) {
      const choice = offered(current);
      if (!choice) throw new ApiError(409, 'stale_view', 'This choice is not offered on the current screen (another tab may have moved on).', { view: portalView(current) });
      text = choice.label;
    } else {
      text = (body.text ?? '').trim();
      if (text === '') throw new ApiError(400, 'invalid_request', 'Invalid body: body.text: empty; type a value.');
      // A code never becomes workflow state in clear: only the backend activity can open it, for this session.
      if (current.listen?.collect?.mode === 'otp' && /^\d{4,8}$/.test(text.replace(/\s/g, ''))) text = seal(sealKey, workflowIdOf(id), text.replace(/\s/g, ''));
    }
    const event: CallerInput = { eventId: `web-${body.eventId}`, kind: 'text', text };
    try {
      const answered = await handle(id).executeUpdate(inputUpdate, { args: [event] });
      remember(id, answered);
      // A typed value that left the person on the same screen may be a miss: the session's trace says (only then is
      // it read; a choice is one of the state's own routes).
      const mayHaveMissed = body.text !== undefined && answered.state === current.state && !answered.ended;
      const view = portalView(answered, mayHaveMissed ? await missedIn(id, answered.state) : null);
      // An active reader keeps the credential alive as long as the session itself.
      setCookie(res, id);
      return { view };
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || err instanceof WorkflowUpdateFailedError) {
        // Closed meanwhile (ended, or paused past its lifetime): its last view if Temporal still has it.
        const v = await currentView(id).catch(() => null);
        if (!v) throw new ApiError(401, 'session_expired', 'This portal session is over; start again.');
        throw new ApiError(409, 'session_ended', 'This session has ended; start a new one.', { view: portalView(v) });
      }
      throw err;
    }
  }));

  router.post('/portal/api/link', wrap(async (req, res) => {
    const body = validate(linkBody, req.body, 'body');
    await limitStarts(req);
    const link = await exchangePortalLink(deps, body.token, { callOnly: true });
    if (link.partnerId === null) return joinCall(res, link.sessionId);
    const call = await callContext(link.sessionId);
    const machine = machineStartingAt(opts.machine, handoverState(opts.machine, handover, call));
    const ctx: Record<string, JsonValue> = { partner_id: link.partnerId, handover_from: link.sessionId ?? '', ...call };
    const view = await start(req, res, ctx, machine, (workflowId) => ({ portal_session_token: seal(sealKey, workflowId, link.sessionToken) }));
    return { view, resumed: false };
  }));

  router.post('/portal/api/logout', wrap(async (req, res) => {
    const id = sessionOf(req);
    if (id && !id.startsWith(CALL_PREFIX)) await handle(id).signal(inputSignal, { eventId: `web-logout-${crypto.randomUUID()}`, kind: 'hangup' }).catch(() => undefined);
    clearCookie(res);
    return { ok: true };
  }));

  /**
   * The link of a number that belongs to no client opens only the call that sent it, while that call runs: the page
   * shows the call's current screen and what is typed there goes to the call (e.g. the e-mail address the voice CRM
   * could not understand). Anything else stays a 404 unknown_number, as before.
   */
  async function joinCall(res: Response, sessionId: string | null): Promise<{ view: PortalView; resumed: false }> {
    const m = sessionId ? CALL_SESSION.exec(sessionId) : null;
    if (!m) throw new ApiError(404, 'unknown_number', 'This number belongs to no client.');
    const id = `${CALL_PREFIX}${m[1]}`;
    const running = await handle(id)
      .describe()
      .then((d) => d.status.name === 'RUNNING', (err: unknown) => (err instanceof WorkflowNotFoundError ? false : Promise.reject(err)));
    const v = running ? await currentView(id) : null;
    if (!v || v.ended) throw new ApiError(410, 'expired', 'The call this link belongs to has ended.', { reason: 'call_ended' });
    setCookie(res, id);
    deps.log.info({ session: sessionId }, 'portal page joined a call');
    return { view: portalView(v), resumed: false };
  }

  /** The last no-match or invalid value of the current visit of `state`, if the last thing that happened is one. */
  async function missedIn(id: string, state: string): Promise<PortalView['missed']> {
    const { events } = await handle(id).query(traceQuery, 0);
    for (let i = events.length - 1; i >= 0; i--) {
      const e = events[i]!;
      if (e.kind === 'say' || e.kind === 'collected' || e.kind === 'ignored') continue;
      if ((e.kind === 'nomatch' || e.kind === 'invalid') && e.state === state) return { count: e.count, max: missLimit(opts.machine, state, e.kind === 'invalid') };
      return null;
    }
    return null;
  }

  /**
   * What the call that sent the link knew, by reference to its session (never through the link): the selected
   * appointment, the consent and channel it recorded. Nothing when it cannot be read quickly.
   */
  async function callContext(sessionId: string | null): Promise<Record<string, JsonValue>> {
    if (!sessionId || !/^(voice|web)-[A-Za-z0-9._:-]{1,200}$/.test(sessionId)) return {};
    try {
      const v = await Promise.race([
        opts.client.workflow.getHandle(sessionId).query(viewQuery),
        sleep(2000).then(() => null),
      ]);
      if (!v) return {};
      const out: Record<string, JsonValue> = {};
      const { appt_selected_id: appt, consent_ok: consent, preferred_channel: channel } = v.ctx;
      if (typeof appt === 'number' || (typeof appt === 'string' && /^\d+$/.test(appt))) out.appt_selected_id = appt;
      if (consent === true) out.consent_ok = true;
      if (typeof channel === 'string' && ['sms', 'whatsapp', 'email'].includes(channel)) out.preferred_channel = channel;
      return out;
    } catch {
      return {};
    }
  }

  return router;
}

/** The state a hand-over continues in (see WebSessionOptions.handover). */
export function handoverState(machine: CompiledMachine, h: { consent: string; detail: string; list: string }, call: Record<string, JsonValue>): string {
  const wanted = call.consent_ok === true ? (call.appt_selected_id !== undefined ? [h.detail, h.list] : [h.list]) : [h.consent, h.list];
  return wanted.find((s) => machine.states[s] !== undefined) ?? machine.entry;
}
