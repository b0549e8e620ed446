/**
 * The operators' console (/console): login with an operator token, then sessions, per-state figures, dictation,
 * contacts and leads. Each page fetches its own data through console-client.ts; any 401 on the way (expired,
 * revoked, logged out elsewhere) brings the login form back, and the page the operator was on after it.
 */
import { useCallback, useEffect, useState } from 'react';
import { routeOf, navigate, type ConsoleRoute } from './routes';
import { AUTH_LOST_EVENT, ConsoleAuthError, consoleAuth, type ConsoleMe } from './console-client';
import { LoginForm } from './shell/LoginForm';
import { OperatorContext } from './shell/operator';
import { SessionsPage } from './SessionsPage';
import { SessionPage } from './SessionPage';
import { StatsPage } from './StatsPage';
import { DictatePage } from './DictatePage';
import { ContactsPage } from './ContactsPage';
import { LeadsPage } from './LeadsPage';
import './shell/console.css';

const NAV: Array<{ route: ConsoleRoute; label: string }> = [
  { route: { page: 'sessions' }, label: 'Sessions' },
  { route: { page: 'stats' }, label: 'Par état' },
  { route: { page: 'dictate' }, label: 'Dicter un contact' },
  { route: { page: 'contacts' }, label: 'Contacts' },
  { route: { page: 'leads' }, label: 'Pistes' },
];

/** checking: asking /console/api/me; out: the login form (expired: a login was lost, not never made). */
type Auth = { kind: 'checking' } | { kind: 'out'; expired: boolean } | { kind: 'in'; me: ConsoleMe } | { kind: 'down' };

export function ConsoleApp(): React.ReactElement {
  const [route, setRoute] = useState<ConsoleRoute>(() => routeOf(window.location.pathname));
  const [auth, setAuth] = useState<Auth>({ kind: 'checking' });
  const [loggingOut, setLoggingOut] = useState(false);

  useEffect(() => {
    const on = () => setRoute(routeOf(window.location.pathname));
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);

  const check = useCallback(async () => {
    try {
      setAuth({ kind: 'in', me: await consoleAuth.me() });
    } catch (err) {
      setAuth(err instanceof ConsoleAuthError ? { kind: 'out', expired: false } : { kind: 'down' });
    }
  }, []);
  useEffect(() => void check(), [check]);

  useEffect(() => {
    const lost = () => setAuth((a) => (a.kind === 'in' ? { kind: 'out', expired: true } : a));
    window.addEventListener(AUTH_LOST_EVENT, lost);
    return () => window.removeEventListener(AUTH_LOST_EVENT, lost);
  }, []);

  const logout = async () => {
    setLoggingOut(true);
    try {
      await consoleAuth.logout();
    } catch {
      // The cookie is forgotten by the server whenever it answers; the form is shown either way.
    } finally {
      setLoggingOut(false);
      setAuth({ kind: 'out', expired: false });
    }
  };

  const me = auth.kind === 'in' ? auth.me : null;
  return (
    <div className="page console">
      <header className="top console-top">
        <p className="brand">Console des opérateurs</p>
        {me && (
          <div className="console-who">
            <p className="console-operator">Opérateur : <strong data-operator>{me.name}</strong></p>
            <button type="button" className="link" onClick={() => void logout()} disabled={loggingOut}>Se déconnecter</button>
          </div>
        )}
        {me && (
          <nav aria-label="Console" className="console-nav-wrap">
            <ul className="console-nav">
              {NAV.map((n) => (
                <li key={n.route.page}>
                  <a href={`/console/${n.route.page}`} aria-current={route.page === n.route.page || (n.route.page === 'sessions' && route.page === 'session') ? 'page' : undefined}
                    onClick={(e) => { e.preventDefault(); navigate(n.route); }}>{n.label}</a>
                </li>
              ))}
            </ul>
          </nav>
        )}
      </header>
      <main>
        {auth.kind === 'checking' && <p role="status">Chargement…</p>}
        {auth.kind === 'down' && (
          <div>
            <h1>Console indisponible</h1>
            <p className="error" role="alert">Le service ne répond pas. Réessayez dans un instant.</p>
            <button type="button" className="primary" onClick={() => void check()}>Réessayer</button>
          </div>
        )}
        {auth.kind === 'out' && <LoginForm expired={auth.expired} onLoggedIn={(m) => setAuth({ kind: 'in', me: m })} />}
        {me && (
          <OperatorContext.Provider value={me}>
            {/* Keyed by operator: a new login starts the pages afresh. */}
            <div key={me.name}>{page(route)}</div>
          </OperatorContext.Provider>
        )}
      </main>
    </div>
  );
}

function page(route: ConsoleRoute): React.ReactElement {
  switch (route.page) {
    case 'sessions': return <SessionsPage />;
    case 'session': return <SessionPage id={route.id} />;
    case 'stats': return <StatsPage />;
    case 'dictate': return <DictatePage />;
    case 'contacts': return <ContactsPage />;
    case 'leads': return <LeadsPage />;
  }
}
