/**
 * The sessions list: filters like the Temporal UI's search attributes (state, outcome, goal, channel, caller hash,
 * machine version, running or closed), newest first, a page at a time; each session opens its page. The filters
 * live in the address (?state=…), so going back from a session finds the same list.
 */
import { useCallback, useEffect, useState } from 'react';
import { ConsoleApiError, ConsoleAuthError, getJson } from './console-client';
import { navigate } from './routes';
import { channelLabel, dateTime, goalLabel, statusLabel } from './session-views/labels';
import type { SessionList, SessionRow } from './session-views/types';
import './session-views/sessions.css';

const FILTERS = ['state', 'outcome', 'goal', 'channel', 'caller_hash', 'machine_version', 'status'] as const;
type Filter = (typeof FILTERS)[number];
type Filters = Record<Filter, string>;
const PAGE_SIZE = 25;

function filtersFromAddress(): Filters {
  const q = new URLSearchParams(window.location.search);
  return Object.fromEntries(FILTERS.map((f) => [f, q.get(f) ?? ''])) as Filters;
}

function keepInAddress(f: Filters): void {
  const q = new URLSearchParams();
  for (const k of FILTERS) if (f[k].trim()) q.set(k, f[k].trim());
  const search = q.toString();
  window.history.replaceState(null, '', `${window.location.pathname}${search ? `?${search}` : ''}`);
}

export function SessionsPage(): React.ReactElement {
  const [draft, setDraft] = useState<Filters>(filtersFromAddress);
  const [applied, setApplied] = useState<Filters>(draft);
  /** Tokens of the pages before the current one (the first page has none). */
  const [tokens, setTokens] = useState<string[]>([]);
  const [list, setList] = useState<SessionList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async (f: Filters, token: string | undefined) => {
    setBusy(true);
    setError(null);
    try {
      setList(await getJson<SessionList>('/console/api/sessions', { ...Object.fromEntries(FILTERS.map((k) => [k, f[k].trim()])), limit: PAGE_SIZE, page_token: token }));
    } catch (err) {
      if (err instanceof ConsoleAuthError) return;
      setError(err instanceof ConsoleApiError && err.status === 400 ? `Filtre refusé : ${err.fields.map((x) => `${x.path.replace(/^query\./, '')} — ${x.message}`).join(' ; ') || err.message}` : 'La liste n’a pas pu être lue (Temporal ne répond pas ?). Réessayez.');
    } finally {
      setBusy(false);
    }
  }, []);

  useEffect(() => void load(applied, tokens.at(-1)), [load, applied, tokens]);

  const set = (k: Filter) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setDraft({ ...draft, [k]: e.target.value });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    keepInAddress(draft);
    setTokens([]);
    setApplied({ ...draft });
  };
  const reset = () => {
    const empty = Object.fromEntries(FILTERS.map((k) => [k, ''])) as Filters;
    setDraft(empty);
    keepInAddress(empty);
    setTokens([]);
    setApplied(empty);
  };
  const open = (row: SessionRow) => (e: React.MouseEvent) => {
    e.preventDefault();
    navigate({ page: 'session', id: row.workflowId });
  };

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Sessions</h1>
      <form className="session-filters" aria-label="Filtrer les sessions" onSubmit={submit}>
        <div className="field">
          <label htmlFor="f-state">État</label>
          <input id="f-state" value={draft.state} onChange={set('state')} placeholder="ivr.auth.consent" aria-describedby="f-state-hint" />
          <p className="hint" id="f-state-hint">Nom exact d’un état de la machine.</p>
        </div>
        <div className="field">
          <label htmlFor="f-outcome">Issue</label>
          <input id="f-outcome" value={draft.outcome} onChange={set('outcome')} placeholder="noinput_exhausted" />
        </div>
        <div className="field">
          <label htmlFor="f-goal">Objectif</label>
          <select id="f-goal" value={draft.goal} onChange={set('goal')}>
            <option value="">Tous</option>
            <option value="reached">Atteint</option>
            <option value="not_reached">Non atteint</option>
            <option value="unknown">Inconnu</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-channel">Canal</label>
          <select id="f-channel" value={draft.channel} onChange={set('channel')}>
            <option value="">Tous</option>
            <option value="voice">Téléphone</option>
            <option value="web">Portail</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="f-caller">Empreinte de l’appelant</label>
          <input id="f-caller" value={draft.caller_hash} onChange={set('caller_hash')} inputMode="text" autoComplete="off" aria-describedby="f-caller-hint" />
          <p className="hint" id="f-caller-hint">Ce qu’affiche <code>npx ivr caller-hash +336…</code>, jamais le numéro.</p>
        </div>
        <div className="field">
          <label htmlFor="f-version">Version de la machine</label>
          <input id="f-version" value={draft.machine_version} onChange={set('machine_version')} placeholder="1.1.0" />
        </div>
        <div className="field">
          <label htmlFor="f-status">Statut</label>
          <select id="f-status" value={draft.status} onChange={set('status')}>
            <option value="">Toutes</option>
            <option value="running">En cours</option>
            <option value="closed">Terminées</option>
          </select>
        </div>
        <div className="session-filter-actions">
          <button type="submit" className="primary" disabled={busy}>Filtrer</button>
          <button type="button" className="secondary" onClick={reset} disabled={busy}>Effacer les filtres</button>
        </div>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      <p role="status" aria-live="polite" className="sr-only">{busy ? 'Chargement…' : list ? `${list.sessions.length} session(s) affichée(s)` : ''}</p>
      {list && list.sessions.length === 0 && <p className="notice">Aucune session ne correspond à ces filtres.</p>}
      {list && list.sessions.length > 0 && (
        <table className="records sessions-table">
          <caption className="sr-only">Sessions, les plus récentes d’abord</caption>
          <thead>
            <tr>
              <th scope="col">Session</th><th scope="col">Canal</th><th scope="col">Machine</th><th scope="col">État</th><th scope="col">Issue</th>
              <th scope="col">Objectif</th><th scope="col">Appelant</th><th scope="col">Début</th><th scope="col">Fin</th><th scope="col">Statut</th>
            </tr>
          </thead>
          <tbody>
            {list.sessions.map((s) => (
              <tr key={`${s.workflowId}/${s.runId}`} data-session={s.workflowId}>
                <td data-label="Session"><a href={`/console/sessions/${encodeURIComponent(s.workflowId)}`} onClick={open(s)} className="mono">{s.workflowId}</a></td>
                <td data-label="Canal">{channelLabel(s.channel)}</td>
                <td data-label="Machine">{s.machine ?? '—'} {s.machineVersion ?? ''}</td>
                <td data-label="État" className="mono">{s.state ?? '—'}</td>
                <td data-label="Issue">{s.outcome ?? '—'}</td>
                <td data-label="Objectif"><span className={`goal goal-${s.goal ?? 'none'}`}>{goalLabel(s.goal)}</span></td>
                <td data-label="Appelant" className="mono">{s.callerHash ?? '—'}</td>
                <td data-label="Début">{dateTime(s.startedAt)}</td>
                <td data-label="Fin">{dateTime(s.closedAt)}</td>
                <td data-label="Statut">{statusLabel(s.status)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list && (tokens.length > 0 || list.nextPageToken) && (
        <nav className="pager" aria-label="Pages">
          <button type="button" className="secondary" disabled={busy || tokens.length === 0} onClick={() => setTokens(tokens.slice(0, -1))}>Page précédente</button>
          <p>Page {tokens.length + 1}</p>
          <button type="button" className="secondary" disabled={busy || !list.nextPageToken} onClick={() => list.nextPageToken && setTokens([...tokens, list.nextPageToken])}>Page suivante</button>
        </nav>
      )}
    </section>
  );
}
