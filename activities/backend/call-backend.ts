/**
 * The one generic action activity: performs a machine `call` against the project's backend API.
 * 2xx and 4xx are answers (the machine's on_success / on_fail decide). A 5xx is thrown as a retryable failure only
 * when the API says a repeat is safe (`Retry-Safe: true`, `error.retryable` in the body); a 5xx it calls unsafe
 * (an outcome unknown, e.g. `messaging_outcome_unknown`) is an answer too, so Temporal never repeats it. Timeouts
 * and network errors are retried: mutating calls carry the step's idempotency key, which the API holds.
 *
 * Code and link sends and code checks carry the session's workflow id and the service credential (the operator
 * token), so the API counts its per-address limits against the session's browser (api/services/client-address.ts).
 *
 * Secrets never become workflow state: secret fields of an answer (`session_token`, see lib/secrets/seal.ts) are
 * replaced by a reference sealed for this session before the answer is returned to the workflow, and references
 * found in a request (e.g. `Authorization: Bearer sealed:v1:…`, a code the portal sealed) are unsealed just before
 * sending. A reference sealed for another session is refused and nothing is sent.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { JsonValue } from '../../lib/machine/model';
import { createLogger } from '../../lib/log';
import { sealSecretFields, SealError, unsealDeep, type SealKey } from '../../lib/secrets/seal';
import type { BackendActivities, BackendCall, BackendResult } from '../../workflows/activity-types';

export interface BackendActivityOptions {
  /** Base URL of the backend API, e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  /** Per-attempt timeout; Temporal's startToClose bounds the whole activity. */
  timeoutMs?: number;
  /** Seals secrets of answers and unseals references in requests (sealKeyFromEnv in processes). */
  sealKey: SealKey;
  /**
   * Operator token sent to the API's operator routes (/crm/*) when the machine's call carries no Authorization
   * (the voice-crm machine); default IVR_OPERATOR_TOKEN. Never in workflow state: added here, on the way out.
   */
  operatorToken?: string;
}

const log = createLogger('backend-activity');

/**
 * The API's relay headers and the routes whose limits count a client address (api/services/client-address.ts;
 * activities do not import the API): only those calls carry the service credential.
 */
const RELAY_SESSION_HEADER = 'x-care-session';
const RELAY_TOKEN_HEADER = 'x-care-service-token';
const ADDRESS_LIMITED_PATHS = new Set(['/auth/request-otp', '/auth/verify-otp', '/portal/send-otp-link']);

/** The request with every sealed reference replaced by its secret; only ever held in this activity's memory. */
function unsealRequest(key: SealKey, workflowId: string, request: BackendCall['request']): BackendCall['request'] {
  try {
    return {
      ...request,
      query: unsealDeep(key, workflowId, request.query),
      headers: unsealDeep(key, workflowId, request.headers),
      ...(request.body !== undefined ? { body: unsealDeep(key, workflowId, request.body) } : {}),
    };
  } catch (err) {
    if (!(err instanceof SealError)) throw err;
    log.warn({ method: request.method, path: request.path }, 'sealed reference refused; request not sent');
    // Not retryable: the same reference fails the same way. The workflow takes the machine's on_fail.
    throw ApplicationFailure.nonRetryable(
      `${err.message}; the ${request.method} ${request.path} request was not sent`,
      'SealedReferenceRefused',
    );
  }
}

function buildUrl(baseUrl: string, call: BackendCall): string {
  const url = new URL(call.request.path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  // A path from the machine is absolute ("/appointments/7"): keep the base URL's own path prefix.
  const base = new URL(baseUrl);
  url.pathname = `${base.pathname.replace(/\/$/, '')}${call.request.path}`;
  for (const [key, value] of Object.entries(call.request.query)) url.searchParams.set(key, value);
  return url.toString();
}

async function readBody(response: Response): Promise<JsonValue> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return { text };
  }
}

/**
 * Whether the API allows repeating a 5xx: its `Retry-Safe` header, else `error.retryable` in the body
 * (`{error: {code, message, retryable}}`); an answer saying neither (a proxy's 502, an older API) is retried.
 */
export function retryVerdict(response: Pick<Response, 'headers'>, body: JsonValue): { retryable: boolean; code?: string } {
  const err = body && typeof body === 'object' && !Array.isArray(body) ? body.error : undefined;
  const detail = err && typeof err === 'object' && !Array.isArray(err) ? err : undefined;
  const code = typeof detail?.code === 'string' ? detail.code : undefined;
  const header = response.headers.get('retry-safe')?.trim().toLowerCase();
  const retryable = header === 'false' ? false : header === 'true' ? true : detail?.retryable !== false;
  return { retryable, ...(code ? { code } : {}) };
}

export function createBackendActivities(opts: BackendActivityOptions): BackendActivities {
  // above the API's own bound on a peer call plus its read-back, so the API's answer arrives before we give up
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const operatorToken = opts.operatorToken ?? (process.env.IVR_OPERATOR_TOKEN?.trim() || undefined);
  return {
    async callBackend(sealedCall: BackendCall): Promise<BackendResult> {
      const workflowId = Context.current().info.workflowExecution?.workflowId;
      if (!workflowId) {
        // Secrets are sealed for one session: without a workflow there is nothing to bind them to.
        throw ApplicationFailure.nonRetryable('callBackend runs only as an activity of a session workflow', 'NoWorkflow');
      }
      const call = { ...sealedCall, request: unsealRequest(opts.sealKey, workflowId, sealedCall.request) };
      const url = buildUrl(opts.baseUrl, call);
      const headers: Record<string, string> = { accept: 'application/json', ...call.request.headers };
      if (call.mutating) headers['idempotency-key'] = call.idempotencyKey;
      const hasAuth = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
      if (operatorToken && !hasAuth && /^\/crm\//.test(call.request.path)) headers.authorization = `Bearer ${operatorToken}`;
      // Code and link sends and code checks say which session they are for, with the service credential: the API
      // counts its per-address limits against that session's browser, not against this worker.
      if (operatorToken && !hasAuth && ADDRESS_LIMITED_PATHS.has(call.request.path)) {
        headers[RELAY_SESSION_HEADER] = workflowId;
        headers[RELAY_TOKEN_HEADER] = operatorToken;
      }
      let body: string | undefined;
      if (call.request.body !== undefined && call.request.method !== 'GET') {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(call.request.body);
      }
      const signals = [AbortSignal.timeout(timeoutMs)];
      const cancellation = Context.current().cancellationSignal;
      if (cancellation) signals.push(cancellation);
      const started = Date.now();
      let response: Response;
      try {
        response = await fetch(url, { method: call.request.method, headers, body, signal: AbortSignal.any(signals) });
      } catch (err) {
        log.warn({ method: call.request.method, path: call.request.path, err: String(err) }, 'backend unreachable');
        throw ApplicationFailure.retryable(`backend unreachable: ${String(err)}`, 'BackendUnavailable');
      }
      const answer = await readBody(response);
      log.info(
        { method: call.request.method, path: call.request.path, status: response.status, ms: Date.now() - started },
        'backend call',
      );
      if (response.status >= 500) {
        const verdict = retryVerdict(response, answer);
        if (verdict.retryable) {
          throw ApplicationFailure.retryable(`backend answered ${response.status} ${verdict.code ?? ''}`.trim(), 'BackendUnavailable');
        }
        // "Do not repeat": the machine's on_fail takes it, with the API's code.
        log.warn({ method: call.request.method, path: call.request.path, status: response.status, code: verdict.code }, 'backend answered: not retried');
      }
      // The result is recorded in the workflow history: secrets in it are sealed for this session only.
      return { ok: response.status < 400, status: response.status, body: sealSecretFields(opts.sealKey, workflowId, answer) };
    },
  };
}
