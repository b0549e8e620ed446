/**
 * The console's only way to the API: same-origin JSON with the operator's HttpOnly cookie (set by
 * POST /console/api/login from the token `npx ivr operators add <name>` prints). A 401 anywhere means the
 * operator must log in again: `ConsoleAuthError` tells the shell to show the login form.
 */
export class ConsoleAuthError extends Error {}

export class ConsoleApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

async function read<T>(res: Response): Promise<T> {
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    json = null;
  }
  if (res.status === 401) throw new ConsoleAuthError('Session opérateur expirée : reconnectez-vous.');
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ConsoleApiError(res.status, err?.code ?? 'http_error', err?.message ?? `HTTP ${res.status}`);
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
export async function postJson<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const isForm = typeof FormData !== 'undefined' && body instanceof FormData;
  return read<T>(await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: isForm ? { accept: 'application/json', ...headers } : { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: isForm ? body : JSON.stringify(body),
  }));
}
