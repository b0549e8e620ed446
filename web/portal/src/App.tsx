/**
 * The portal: renders the view the session returns (screen, prompt, choices, field to collect) and sends what the
 * person does back as one input. No journey logic here: the machine decides every next screen.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, PortalError } from './session-client';
import { AppointmentCard, AppointmentList } from './components/AppointmentList';
import { Choices, splitOrdinals } from './components/Choices';
import { CollectField } from './components/CollectField';
import { SlotList } from './components/SlotList';
import { OUTCOME_TEXT, SCREEN_TITLES } from './labels';
import { asAppointments, asSlots, type PortalView } from './types';

type LinkProblem = 'used' | 'expired' | 'unknown' | 'unknown_number';

const LINK_PATH = /^\/portal\/link\/([A-Za-z0-9_-]{20,100})\/?$/;

export function App() {
  const [view, setView] = useState<PortalView | null>(null);
  const [busy, setBusy] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [linkProblem, setLinkProblem] = useState<LinkProblem | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const show = useCallback((v: PortalView) => {
    setView(v);
    setError(null);
  }, []);

  /** What a failed request means to the person; a session that is gone brings back the first screen. */
  const fail = useCallback(
    async (err: unknown) => {
      if (err instanceof PortalError) {
        if (err.view) {
          show(err.view);
          setNotice(err.code === 'stale_view' ? 'Cet écran a changé entre-temps (dans un autre onglet ?) : voici où vous en êtes.' : null);
          return;
        }
        if (err.status === 401) {
          setNotice('Votre session a expiré. Reconnectez-vous pour continuer.');
          try {
            show((await api.start(true)).view);
          } catch {
            setError('Le service ne répond pas. Réessayez dans un instant.');
          }
          return;
        }
        if (err.status === 429) return setError('Trop de tentatives. Patientez quelques minutes avant de réessayer.');
        if (err.status >= 500) return setError('Le service ne répond pas. Réessayez dans un instant.');
        return setError(err.message);
      }
      setError('Connexion impossible. Vérifiez votre réseau et réessayez.');
    },
    [show],
  );

  const run = useCallback(
    async (task: () => Promise<{ view: PortalView }>) => {
      setBusy(true);
      try {
        show((await task()).view);
      } catch (err) {
        await fail(err);
      } finally {
        setBusy(false);
      }
    },
    [show, fail],
  );

  const opened = useRef(false);
  useEffect(() => {
    // Once per page load: a link's token is spent by its first use.
    if (opened.current) return;
    opened.current = true;
    const m = LINK_PATH.exec(window.location.pathname);
    if (!m) {
      void run(() => api.start());
      return;
    }
    // The link's token leaves the address bar and the history before anything else happens.
    window.history.replaceState(null, '', '/portal');
    const token = m[1]!;
    setBusy(true);
    api
      .link(token)
      .then((r) => show(r.view))
      .catch((err: unknown) => {
        if (err instanceof PortalError && (err.status === 410 || err.status === 404)) {
          setLinkProblem(err.code === 'unknown_number' ? 'unknown_number' : err.status === 404 ? 'unknown' : err.reason === 'used' ? 'used' : 'expired');
          return;
        }
        return fail(err);
      })
      .finally(() => setBusy(false));
  }, [run, show, fail]);

  // Each new screen: the heading takes the focus, so keyboard and screen-reader users start at the top of it.
  const turnKey = view ? `${view.state}:${view.turn}:${view.ended ? 'end' : ''}` : linkProblem;
  useEffect(() => {
    heading.current?.focus();
  }, [turnKey]);

  const choose = (choice: string) => {
    setNotice(null);
    void run(() => api.input({ choice }));
  };
  const answer = (text: string) => {
    setNotice(null);
    void run(() => api.input({ text }));
  };
  const restart = () => {
    setLinkProblem(null);
    setNotice(null);
    void run(() => api.start(true));
  };

  return (
    <div className="page">
      <header className="top">
        <p className="brand">Cabinet de soins</p>
        {view && !view.ended ? (
          <button type="button" className="link" onClick={() => void api.logout().then(restart)} disabled={busy}>
            Recommencer
          </button>
        ) : null}
      </header>
      <main aria-busy={busy}>
        {error ? (
          <div className="error" role="alert">
            {error}
          </div>
        ) : null}
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        {linkProblem ? (
          <LinkProblemPage problem={linkProblem} headingRef={heading} onLogin={restart} busy={busy} />
        ) : view ? (
          <Screen view={view} busy={busy} headingRef={heading} onChoose={choose} onAnswer={answer} onRestart={restart} />
        ) : (
          <h1 ref={heading} tabIndex={-1}>
            Chargement…
          </h1>
        )}
      </main>
      <footer className="bottom">
        <p>Besoin d’aide ? Vous pouvez aussi gérer vos rendez-vous par téléphone.</p>
      </footer>
    </div>
  );
}

function Screen(props: {
  view: PortalView;
  busy: boolean;
  headingRef: React.RefObject<HTMLHeadingElement | null>;
  onChoose(id: string): void;
  onAnswer(text: string): void;
  onRestart(): void;
}) {
  const { view, busy } = props;
  const prompts = view.prompts.length > 0 ? view.prompts : view.lastPrompt ? [view.lastPrompt] : [];
  const title = view.ended ? 'Session terminée' : (SCREEN_TITLES[view.screen ?? ''] ?? 'Mes rendez-vous');
  const { ordinal, rest } = splitOrdinals(view.choices);
  const appointments = asAppointments(view.appointments);
  const slots = asSlots(view.slots);
  const selected = appointments.find((a) => String(a.id) === String(view.selectedAppointmentId));
  const hasOrdinal = ordinal.some(Boolean);

  let list: React.ReactNode = null;
  let choices = view.choices;
  if (!view.ended && view.screen === 'C2' && appointments.length > 0 && hasOrdinal) {
    list = <AppointmentList appointments={appointments} pick={ordinal} busy={busy} onChoose={props.onChoose} />;
    choices = rest;
  } else if (!view.ended && view.screen === 'C4' && slots.length > 0 && hasOrdinal) {
    list = <SlotList slots={slots} pick={ordinal} busy={busy} onChoose={props.onChoose} />;
    choices = rest;
  } else if (selected && (view.screen === 'C3' || view.screen === 'C6' || view.screen === 'C7' || view.screen === 'C5')) {
    list = (
      <section className="card selected" aria-label="Rendez-vous concerné">
        <AppointmentCard appointment={selected} level={2} />
      </section>
    );
  }

  return (
    <article className={`screen screen-${view.screen ?? 'none'}`} data-state={view.state} data-screen={view.screen ?? ''} data-turn={view.turn}>
      <h1 ref={props.headingRef} tabIndex={-1}>
        {title}
      </h1>
      <div className="prompt" aria-live="polite" aria-atomic="true">
        {prompts.map((p, i) => (
          <p key={`${view.turn}-${i}`}>{p}</p>
        ))}
      </div>
      {view.missed ? (
        <p className="missed" role="alert">
          Votre réponse n’a pas été comprise ou n’est pas valide
          {view.missed.max ? ` (tentative ${view.missed.count} sur ${view.missed.max})` : ''}.
        </p>
      ) : null}
      {list}
      {view.ended ? (
        <section className="ended">
          <p>{OUTCOME_TEXT[view.ended.outcome] ?? 'Votre session est terminée.'}</p>
          <button type="button" className="primary" onClick={props.onRestart} disabled={busy}>
            Recommencer
          </button>
        </section>
      ) : (
        <>
          {view.collect ? <CollectField key={`${view.state}:${view.turn}`} mode={view.collect.mode} length={view.collect.length} busy={busy} onSubmit={props.onAnswer} /> : null}
          <Choices choices={choices} busy={busy} onChoose={props.onChoose} label={view.collect ? 'Autres possibilités' : undefined} />
        </>
      )}
    </article>
  );
}

const LINK_TEXT: Record<LinkProblem, { title: string; text: string }> = {
  used: { title: 'Ce lien a déjà servi', text: 'Pour votre sécurité, un lien de connexion ne s’ouvre qu’une seule fois.' },
  expired: { title: 'Ce lien a expiré', text: 'Pour votre sécurité, un lien de connexion n’est valable que quelques minutes.' },
  unknown: { title: 'Lien inconnu', text: 'Ce lien n’est pas reconnu. Vérifiez qu’il est complet.' },
  unknown_number: { title: 'Numéro inconnu', text: 'Ce numéro n’est rattaché à aucun dossier client.' },
};

function LinkProblemPage(props: { problem: LinkProblem; headingRef: React.RefObject<HTMLHeadingElement | null>; onLogin(): void; busy: boolean }) {
  const t = LINK_TEXT[props.problem];
  return (
    <article className="screen link-problem" data-link-problem={props.problem}>
      <h1 ref={props.headingRef} tabIndex={-1}>
        {t.title}
      </h1>
      <p>{t.text}</p>
      <p>Connectez-vous avec votre numéro de téléphone et le code reçu par SMS, ou demandez un nouveau lien par téléphone.</p>
      <button type="button" className="primary" onClick={props.onLogin} disabled={props.busy}>
        Se connecter
      </button>
    </article>
  );
}
