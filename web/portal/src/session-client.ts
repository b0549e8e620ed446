/**
 * The portal's only way to the session: JSON posts to /portal/api (same origin, the HttpOnly cookie goes by
 * itself). Each click carries an event id made here and reused on a retry, so it is applied once.
 */
import { asView, type ApiErrorBody, type PortalView } from './types';

export class PortalError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly reason?: string,
    readonly view?: PortalView,
  ) {
    super(message);
  }
}

async function post(path: string, body: unknown): Promise<{ view: PortalView; resumed?: boolean }> {
  const res = await fetch(`/portal/api/${path}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return read(res);
}

async function read(res: Response): Promise<{ view: PortalView; resumed?: boolean }> {
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    json = null;
  }
  if (!res.ok) {
    const err = (json as ApiErrorBody | null)?.error;
    throw new PortalError(res.status, err?.code ?? 'http_error', err?.message ?? `HTTP ${res.status}`, err?.reason, asView(err?.view) ?? undefined);
  }
  const view = asView((json as { view?: unknown } | null)?.view);
  if (!view) throw new PortalError(502, 'bad_answer', 'Réponse inattendue du serveur.');
  return { view, resumed: (json as { resumed?: boolean }).resumed === true };
}

export const api = {
  start: (restart = false) => post('session', restart ? { restart: true } : {}),
  link: (token: string) => post('link', { token }),
  logout: () => fetch('/portal/api/logout', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: '{}' }),
  /** One click or one typed value; a network failure is retried once with the same event id. */
  async input(payload: { choice: string } | { text: string }): Promise<{ view: PortalView }> {
    const eventId = crypto.randomUUID();
    try {
      return await post('input', { eventId, ...payload });
    } catch (err) {
      if (err instanceof PortalError) throw err;
      return post('input', { eventId, ...payload });
    }
  },
};
