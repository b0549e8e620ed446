/**
 * The console's only way to the API: same-origin JSON with the operator's HttpOnly cookie (set by
 * POST /console/api/login from the token `npx ivr operators add <name>` prints). A 401 anywhere means the
 * operator must log in again: `ConsoleAuthError` is thrown to the page and the shell is told (AUTH_LOST_EVENT), so
 * it shows the login form whatever page asked.
 */
export class ConsoleAuthError extends Error {}

export class ConsoleApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Field errors of a 400 (`body.contact.email`, …) and what is wrong with each. */
    readonly fields: Array<{ path: string; message: string }> = [],
    /** The error body's other details (e.g. `missing` of a 422 contact_incomplete). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Dispatched on `window` when the API answers 401: the login has expired, been revoked, or never happened. */
export const AUTH_LOST_EVENT = 'console-auth-lost';

interface ErrorBody {
  error?: { code?: string; message?: string; fields?: Array<{ path: string; message: string }> } & Record<string, unknown>;
}

async function read<T>(res: Response, opts: { loginAttempt?: boolean } = {}): Promise<T> {
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    json = null;
  }
  const err = (json as ErrorBody | null)?.error;
  if (res.status === 401 && !opts.loginAttempt) {
    window.dispatchEvent(new Event(AUTH_LOST_EVENT));
    throw new ConsoleAuthError('Session opérateur expirée : reconnectez-vous.');
  }
  if (!res.ok) {
    const { code, message, fields, ...details } = err ?? {};
    throw new ConsoleApiError(res.status, code ?? 'http_error', message ?? `HTTP ${res.status}`, fields ?? [], details);
  }
  return json as T;
}

/** GET a JSON route; `query` values that are empty are left out. */
export async function getJson<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const url = qs.size ? `${path}?${qs.toString()}` : path;
  return read<T>(await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } }));
}

/** POST JSON (or a FormData, sent as multipart) to a route. */
export async function postJson<T>(path: string, body: unknown, headers: Record<string, string> = {}, opts: { loginAttempt?: boolean } = {}): Promise<T> {
  const isForm = typeof FormData !== 'undefined' && body instanceof FormData;
  return read<T>(await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: isForm ? { accept: 'application/json', ...headers } : { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: isForm ? body : JSON.stringify(body),
  }), opts);
}

/** The logged-in operator, and where the browser opens Odoo (null: no link, ODOO_PUBLIC_URL is not set). */
export interface ConsoleMe {
  name: string;
  odoo_url: string | null;
}

export const consoleAuth = {
  me: () => getJson<ConsoleMe>('/console/api/me'),
  /** A wrong token is a ConsoleApiError (401 invalid_operator_token), not a lost login. */
  login: (token: string) => postJson<ConsoleMe>('/console/api/login', { token }, {}, { loginAttempt: true }),
  logout: () => postJson<{ ok: true }>('/console/api/logout', {}),
};

/** A record's form in Odoo's web client (the /web#… address every version from 16 on opens). */
export function odooRecordUrl(base: string, model: 'res.partner' | 'crm.lead', id: number): string {
  return `${base.replace(/\/+$/, '')}/web#id=${id}&model=${model}&view_type=form`;
}
