/**
 * Per-state figures of recent sessions: visits, no-input and no-match rates, time spent (median and 95th
 * percentile), hang-ups — the same numbers as `npx ivr stats`.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ConsoleApiError, ConsoleAuthError, getJson } from './console-client';
import { duration, percent } from './session-views/labels';
import type { StatsResult } from './session-views/types';
import './session-views/sessions.css';

export function StatsPage(): React.ReactElement {
  const [machine, setMachine] = useState('');
  const [hours, setHours] = useState('24');
  const [asked, setAsked] = useState({ machine: '', hours: '24' });
  const [data, setData] = useState<StatsResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Reading many histories takes a while: a new question may be asked meanwhile, and only the latest answer shows.
  const latest = useRef(0);
  const load = useCallback(async (q: { machine: string; hours: string }) => {
    const mine = ++latest.current;
    setBusy(true);
    setError(null);
    try {
      const result = await getJson<StatsResult>('/console/api/stats', { machine: q.machine.trim(), since_hours: q.hours.trim() });
      if (mine === latest.current) setData(result);
    } catch (err) {
      if (err instanceof ConsoleAuthError || mine !== latest.current) return;
      setError(err instanceof ConsoleApiError && err.status === 400 ? `Paramètre refusé : ${err.message}` : 'Les chiffres n’ont pas pu être calculés (Temporal ne répond pas ?). Réessayez.');
    } finally {
      if (mine === latest.current) setBusy(false);
    }
  }, []);
  useEffect(() => void load(asked), [load, asked]);

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Chiffres par état</h1>
      <form className="search" aria-label="Choisir les sessions" onSubmit={(e) => { e.preventDefault(); setAsked({ machine, hours }); }}>
        <div className="field">
          <label htmlFor="s-machine">Machine</label>
          <input id="s-machine" value={machine} onChange={(e) => setMachine(e.target.value)} placeholder="synergia_rdv_mvp_ivr" aria-describedby="s-machine-hint" />
          <p className="hint" id="s-machine-hint">Vide : toutes les machines.</p>
        </div>
        <div className="field">
          <label htmlFor="s-hours">Sessions des dernières (heures)</label>
          <input id="s-hours" type="number" min="1" max="744" value={hours} onChange={(e) => setHours(e.target.value)} />
        </div>
        <button type="submit" className="primary">Calculer</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
      <p role="status" aria-live="polite">{busy ? 'Lecture des sessions…' : data ? `${data.sessions} session(s) lue(s)${data.skipped ? `, ${data.skipped} ignorée(s) (détail indisponible)` : ''}.` : ''}</p>
      {data && data.states.length > 0 && (
        <table className="records stats-table">
          <caption className="sr-only">Chiffres par état, les plus visités d’abord</caption>
          <thead>
            <tr>
              <th scope="col">État</th><th scope="col">Visites</th><th scope="col">Tours</th><th scope="col">Silence</th><th scope="col">Incompris</th>
              <th scope="col">Durée médiane</th><th scope="col">Durée p95</th><th scope="col">Raccrochés</th>
            </tr>
          </thead>
          <tbody>
            {data.states.map((s) => (
              <tr key={s.state}>
                <td data-label="État" className="mono">{s.state}</td>
                <td data-label="Visites">{s.visits}</td>
                <td data-label="Tours">{s.turns}</td>
                <td data-label="Silence">{percent(s.noinputRate)}</td>
                <td data-label="Incompris">{percent(s.nomatchRate)}</td>
                <td data-label="Durée médiane">{duration(s.p50Ms)}</td>
                <td data-label="Durée p95">{duration(s.p95Ms)}</td>
                <td data-label="Raccrochés">{s.hangups}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
