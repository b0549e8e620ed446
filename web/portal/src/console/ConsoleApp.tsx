/**
 * The operators' console (/console): login with an operator token, then sessions, per-state figures, dictation,
 * contacts and leads. Each page fetches its own data through console-client.ts.
 */
import { useEffect, useState } from 'react';
import { routeOf, navigate, type ConsoleRoute } from './routes';
import { SessionsPage } from './SessionsPage';
import { SessionPage } from './SessionPage';
import { StatsPage } from './StatsPage';
import { DictatePage } from './DictatePage';
import { ContactsPage } from './ContactsPage';
import { LeadsPage } from './LeadsPage';

const NAV: Array<{ route: ConsoleRoute; label: string }> = [
  { route: { page: 'sessions' }, label: 'Sessions' },
  { route: { page: 'stats' }, label: 'Par état' },
  { route: { page: 'dictate' }, label: 'Dicter un contact' },
  { route: { page: 'contacts' }, label: 'Contacts' },
  { route: { page: 'leads' }, label: 'Pistes' },
];

export function ConsoleApp(): React.ReactElement {
  const [route, setRoute] = useState<ConsoleRoute>(() => routeOf(window.location.pathname));
  useEffect(() => {
    const on = () => setRoute(routeOf(window.location.pathname));
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);
  return (
    <div className="page console">
      <header className="top">
        <p className="brand">Console des opérateurs</p>
        <nav aria-label="Console">
          <ul className="console-nav">
            {NAV.map((n) => (
              <li key={n.route.page}>
                <a href={`/console/${n.route.page}`} aria-current={route.page === n.route.page ? 'page' : undefined}
                  onClick={(e) => { e.preventDefault(); navigate(n.route); }}>{n.label}</a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main>{page(route)}</main>
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
