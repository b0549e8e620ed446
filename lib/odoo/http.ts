/**
 * One POST to Odoo with a timeout and bounded, jittered retries. Retried: network errors and 5xx — but a call
 * that changes data is retried only when Odoo surely did not run it (connection refused / not resolved, 502,
 * 503), so a timeout after a `create` never creates twice. Never retried: 4xx and every Odoo business error
 * (those come back as HTTP 200 JSON-RPC errors or JSON-2 4xx/5xx with Odoo's JSON error body and are not seen
 * here as failures; the client retries the transient ones, see client.ts).
 */
import { createLogger } from '../log';
import { OdooUnavailable, type OdooTransportName } from './errors';

const log = createLogger('odoo-client');

export interface HttpPolicy {
  timeoutMs: number;
  retries: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export interface CallSite {
  transport: OdooTransportName;
  model?: string;
  method?: string;
  /** Safe to send twice (reads, version, login). */
  idempotent: boolean;
  /**
   * JSON-2 answers an exception Odoo raised with HTTP 500 and a JSON `{name, message, …}` body: that is Odoo's
   * error, not a failed transport, so it goes back to the caller (which maps it) instead of becoming OdooUnavailable.
   */
  errorBodyOn5xx?: boolean;
}

/** A 5xx whose body is Odoo's serialized exception (JSON object with a string `name`). */
function isOdooErrorBody(res: Response, text: string): boolean {
  if (!(res.headers.get('content-type') ?? '').includes('application/json')) return false;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string';
  } catch {
    return false;
  }
}

/** Methods that never change data: retried on any network error or 5xx. */
export const READ_METHODS = new Set([
  'search', 'search_read', 'search_count', 'read', 'fields_get', 'name_search', 'read_group', 'exists', 'default_get',
  'web_search_read', 'web_read', 'formatted_read_group',
]);

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function errorCode(e: unknown): string | undefined {
  const cause = (e as { cause?: { code?: string } } | undefined)?.cause;
  return cause?.code ?? (e as { code?: string } | undefined)?.code;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Full jitter: a random wait up to base·2^attempt, capped. */
export function backoffDelay(attempt: number, policy: HttpPolicy, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(policy.backoffMaxMs, policy.backoffBaseMs * 2 ** attempt));
}

export async function postJson(url: string, body: string, headers: Record<string, string>, policy: HttpPolicy, site: CallSite): Promise<HttpAnswer> {
  const where = `${site.model ? `${site.model}.${site.method}` : site.method ?? url}`;
  let lastProblem = '';
  let lastStatus: number | undefined;
  let lastCause: unknown;
  const attempts = policy.retries + 1;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep(backoffDelay(attempt, policy));
    let retryable = false;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(policy.timeoutMs),
        redirect: 'manual',
      });
      const text = await res.text();
      if (res.status < 500 || (site.errorBodyOn5xx && isOdooErrorBody(res, text))) return { status: res.status, headers: res.headers, text };
      lastStatus = res.status;
      lastProblem = `HTTP ${res.status}`;
      retryable = site.idempotent || res.status === 502 || res.status === 503;
    } catch (e) {
      lastCause = e;
      const code = errorCode(e);
      const timedOut = (e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError';
      lastProblem = timedOut ? `no answer within ${policy.timeoutMs} ms` : `network error ${code ?? (e as Error).message}`;
      retryable = site.idempotent || (code !== undefined && NOT_SENT_CODES.has(code));
    }
    log.warn({ transport: site.transport, call: where, attempt: attempt + 1, of: attempts, problem: lastProblem, retry: retryable && attempt + 1 < attempts }, 'odoo request failed');
    if (!retryable) {
      return Promise.reject(new OdooUnavailable(
        `Odoo ${where} over ${site.transport}: ${lastProblem}; not retried because the call may have changed data — check Odoo before repeating it`,
        // the request left: Odoo may have run it (a timeout, a cut connection, a 500 from a proxy)
        { transport: site.transport, model: site.model, method: site.method, httpStatus: lastStatus, cause: lastCause, attempts: attempt + 1, outcome: 'unknown' },
      ));
    }
  }
  throw new OdooUnavailable(`Odoo ${where} over ${site.transport}: ${lastProblem} after ${attempts} attempts (${url})`, {
    transport: site.transport, model: site.model, method: site.method, httpStatus: lastStatus, cause: lastCause, attempts,
  });
}
