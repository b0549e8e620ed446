/**
 * One session: the machine's diagram with the path taken and the current state, each turn as a row (prompt, what
 * was heard — masked as the session masks it —, what it meant, the action and its result, latency), the outcome,
 * and the same session in the Temporal UI. Refreshed every 2 s while the session runs.
 */
import { useCallback, useEffect, useState } from 'react';
import { ConsoleApiError, ConsoleAuthError, getJson } from './console-client';
import { navigate } from './routes';
import { Diagram } from './session-views/Diagram';
import { channelLabel, dateTime, duration, goalLabel, heardKindLabel, resultLabel, statusLabel, timeOf } from './session-views/labels';
import type { SessionPageData } from './session-views/types';
import './session-views/sessions.css';

const REFRESH_MS = 2000;

export function SessionPage(props: { id?: string }): React.ReactElement {
  const id = props.id ?? '';
  const [data, setData] = useState<SessionPageData | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setData(await getJson<SessionPageData>(`/console/api/sessions/${encodeURIComponent(id)}`));
      setError(null);
    } catch (err) {
      if (err instanceof ConsoleAuthError) return;
      if (err instanceof ConsoleApiError && (err.status === 404 || err.status === 400)) setError('Cette session est introuvable (identifiant erroné, ou historique déjà effacé par Temporal).');
      else setError('La session n’a pas pu être lue (Temporal ne répond pas ?). Nouvel essai dans un instant.');
    }
  }, [id]);

  useEffect(() => void load(), [load]);
  const running = data?.status === 'running';
  useEffect(() => {
    if (!running) return undefined;
    const timer = window.setInterval(() => void load(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [running, load]);

  const back = (e: React.MouseEvent) => {
    e.preventDefault();
    if (window.history.length > 1) window.history.back();
    else navigate({ page: 'sessions' });
  };

  return (
    <section aria-labelledby="page-title" className="session-page">
      <p><a href="/console/sessions" onClick={back}>← Sessions</a></p>
      <h1 id="page-title">Session <span className="mono">{id}</span></h1>
      {error && <p className="error" role="alert">{error}</p>}
      {!data && !error && <p role="status">Chargement…</p>}
      {data && (
        <>
          <dl className="session-facts">
            <div><dt>Statut</dt><dd>{statusLabel(data.status)}{running && <span className="live"> (actualisé toutes les 2 s)</span>}</dd></div>
            <div><dt>Canal</dt><dd>{channelLabel(data.channel)}</dd></div>
            <div><dt>Machine</dt><dd>{data.machine ?? '—'} {data.machineVersion ?? ''}</dd></div>
            <div><dt>{running ? 'État actuel' : 'Dernier état'}</dt><dd className="mono">{data.currentState ?? '—'}{data.screen ? ` (écran ${data.screen})` : ''}</dd></div>
            <div><dt>Issue</dt><dd>{data.outcome ?? (running ? 'pas encore' : '—')}</dd></div>
            <div><dt>Objectif</dt><dd><span className={`goal goal-${data.goal ?? 'none'}`}>{goalLabel(data.goal)}</span></dd></div>
            {data.failure && <div><dt>Défaillance</dt><dd>{data.failure.kind === 'hangup' ? 'fin d’appel anormale' : 'commande du canal en échec'} : {data.failure.cause}</dd></div>}
            <div><dt>Appelant (empreinte)</dt><dd className="mono">{data.callerHash ?? '—'}</dd></div>
            <div><dt>Début</dt><dd>{dateTime(data.startedAt)}</dd></div>
            <div><dt>Fin</dt><dd>{dateTime(data.closedAt)}</dd></div>
          </dl>
          <p><a href={data.temporalUrl} target="_blank" rel="noreferrer">Ouvrir dans l’interface Temporal</a></p>
          {data.traceError && <p className="notice" role="status">Le détail des tours n’est pas disponible : aucun worker de sessions ne répond pour relire cette session.</p>}

          <h2>Parcours sur la machine</h2>
          {data.graph ? <Diagram graph={data.graph} path={data.path} current={data.currentState} running={running} /> : <p className="notice">La machine de cette session n’a pas pu être lue.</p>}
          {data.path.length > 0 && (
            <ol className="session-path" aria-label="États parcourus, dans l’ordre">
              {data.path.map((p, i) => (
                <li key={`${i}-${p.state}`}><span className="mono">{p.state}</span> — {timeOf(p.enteredAt)}, {duration(p.spentMs)}</li>
              ))}
            </ol>
          )}

          <h2>Tours</h2>
          {data.turns.length === 0 ? <p className="notice">Aucun tour : l’appelant n’a encore rien fait.</p> : (
            <table className="records turns-table">
              <caption className="sr-only">Chaque tour : ce qui a été dit, ce qui a été entendu, ce que la machine en a fait</caption>
              <thead>
                <tr>
                  <th scope="col">#</th><th scope="col">Heure</th><th scope="col">État</th><th scope="col">Message</th><th scope="col">Entendu</th>
                  <th scope="col">Compris</th><th scope="col">Action</th><th scope="col">Vers</th><th scope="col">Latence</th>
                </tr>
              </thead>
              <tbody>
                {data.turns.map((t) => (
                  <tr key={t.index}>
                    <td data-label="#">{t.index}</td>
                    <td data-label="Heure">{timeOf(t.at)}</td>
                    <td data-label="État" className="mono">{t.state}</td>
                    <td data-label="Message">{t.prompt.length ? t.prompt.join(' ') : '—'}</td>
                    <td data-label="Entendu">{heardKindLabel(t.heard.kind)}{t.heard.value !== null && <> : <span className="mono">{t.heard.value}</span></>}</td>
                    <td data-label="Compris">{resultLabel(t.result)}</td>
                    <td data-label="Action">{t.actions.length ? t.actions.map((a, k) => <span key={k} className={a.ok ? 'action-ok' : 'action-failed'}>{a.endpoint ?? 'appel'} {a.ok ? 'réussi' : 'en échec'}{a.status !== null ? ` (${a.status})` : ''} </span>) : '—'}</td>
                    <td data-label="Vers" className="mono">{t.next ?? '—'}</td>
                    <td data-label="Latence">{duration(t.latencyMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
