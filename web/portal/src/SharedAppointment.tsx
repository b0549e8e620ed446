/** The read-only page a relative opens from a shared link: one appointment, no personal data, no login. */
import { useEffect, useRef, useState } from 'react';
import { MODE_LABELS, STATE_LABELS, when } from './labels';

interface Shared {
  start: string;
  stop: string;
  mode: string;
  state: string;
}

function asShared(v: unknown): Shared | null {
  const o = v as Partial<Shared> | null;
  return o && typeof o.start === 'string' && typeof o.stop === 'string' && typeof o.mode === 'string' && typeof o.state === 'string' ? (o as Shared) : null;
}

export function SharedAppointment(props: { token: string }) {
  const [appt, setAppt] = useState<Shared | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    fetch(`/portal/shared/${encodeURIComponent(props.token)}`, { headers: { accept: 'application/json' }, credentials: 'omit' })
      .then(async (res) => {
        if (res.status === 410) return setProblem('Ce lien de partage a expiré.');
        if (!res.ok) return setProblem('Ce lien de partage n’est pas reconnu.');
        const a = asShared(await res.json());
        if (a) setAppt(a);
        else setProblem('Réponse inattendue du serveur.');
      })
      .catch(() => setProblem('Connexion impossible. Vérifiez votre réseau et réessayez.'));
  }, [props.token]);

  useEffect(() => heading.current?.focus(), [appt, problem]);

  return (
    <div className="page">
      <header className="top">
        <p className="brand">Cabinet de soins</p>
      </header>
      <main aria-busy={!appt && !problem}>
        <article className="screen shared" data-shared={appt ? 'ok' : problem ? 'problem' : 'loading'}>
          <h1 ref={heading} tabIndex={-1}>
            {problem ? 'Lien indisponible' : 'Rendez-vous partagé'}
          </h1>
          {problem ? <p>{problem}</p> : null}
          {appt ? (
            <section className="card" aria-label="Rendez-vous">
              <h2 className="card-title">{when(appt.start)}</h2>
              <dl className="facts">
                <div>
                  <dt>Fin</dt>
                  <dd>{when(appt.stop)}</dd>
                </div>
                <div>
                  <dt>Type</dt>
                  <dd>{MODE_LABELS[appt.mode] ?? appt.mode}</dd>
                </div>
                <div>
                  <dt>État</dt>
                  <dd>{STATE_LABELS[appt.state] ?? appt.state}</dd>
                </div>
              </dl>
            </section>
          ) : null}
          {!appt && !problem ? <p>Chargement…</p> : null}
        </article>
      </main>
      <footer className="bottom">
        <p>Cette page montre un rendez-vous qu’un proche a partagé avec vous ; elle ne permet pas de le modifier.</p>
      </footer>
    </div>
  );
}
