import type { Appointment, Choice } from '../types';
import { MODE_LABELS, STATE_LABELS, buttonText, when } from '../labels';

/** C2: the appointments the session listed; the n-th card carries the session's choice for the n-th item. */
export function AppointmentList(props: { appointments: Appointment[]; pick: (Choice | undefined)[]; busy: boolean; onChoose(id: string): void }) {
  if (props.appointments.length === 0) return <p className="empty">Aucun rendez-vous à afficher.</p>;
  return (
    <ol className="cards" aria-label="Rendez-vous">
      {props.appointments.map((a, i) => {
        const choice = props.pick[i];
        return (
          <li key={a.id} className="card" data-appointment={a.id}>
            <AppointmentCard appointment={a} level={2} />
            {choice ? (
              <button type="button" className="choice" data-choice={choice.id} disabled={props.busy} onClick={() => props.onChoose(choice.id)}>
                {buttonText(choice.label)} <span className="sr-only">: rendez-vous du {when(a.start)}</span>
              </button>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}

export function AppointmentCard(props: { appointment: Appointment; level: 2 | 3 }) {
  const a = props.appointment;
  const Heading = props.level === 2 ? 'h2' : 'h3';
  return (
    <>
      <Heading className="card-title">{when(a.start)}</Heading>
      <dl className="facts">
        <div>
          <dt>Type</dt>
          <dd>{MODE_LABELS[a.mode] ?? a.mode}</dd>
        </div>
        {a.location ? (
          <div>
            <dt>Lieu</dt>
            <dd>{a.location}</dd>
          </div>
        ) : null}
        <div>
          <dt>État</dt>
          <dd>{STATE_LABELS[a.state] ?? a.state}</dd>
        </div>
      </dl>
    </>
  );
}
