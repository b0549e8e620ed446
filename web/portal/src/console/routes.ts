/** The console's pages and their paths (history API; the server answers index.html for every /console path). */
export type ConsoleRoute =
  | { page: 'sessions' }
  | { page: 'session'; id: string }
  | { page: 'stats' }
  | { page: 'dictate' }
  | { page: 'contacts' }
  | { page: 'leads' };

const SESSION = /^\/console\/sessions\/([A-Za-z0-9._:-]{1,200})\/?$/;

export function routeOf(pathname: string): ConsoleRoute {
  const m = SESSION.exec(pathname);
  if (m) return { page: 'session', id: decodeURIComponent(m[1]!) };
  const page = pathname.replace(/^\/console\/?/, '').replace(/\/$/, '');
  if (page === 'stats' || page === 'dictate' || page === 'contacts' || page === 'leads') return { page };
  return { page: 'sessions' };
}

export function pathOf(route: ConsoleRoute): string {
  return route.page === 'session' ? `/console/sessions/${encodeURIComponent(route.id)}` : `/console/${route.page}`;
}

/** Moves to a page without reloading; the shell listens to `popstate`. */
export function navigate(route: ConsoleRoute): void {
  window.history.pushState(null, '', pathOf(route));
  window.dispatchEvent(new PopStateEvent('popstate'));
}
