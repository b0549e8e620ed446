import type { Choice, Slot } from '../types';
import { MODE_LABELS, when } from '../labels';

/** C4: the slots the session proposes; the n-th carries the session's choice for the n-th slot. */
export function SlotList(props: { slots: Slot[]; pick: (Choice | undefined)[]; busy: boolean; onChoose(id: string): void }) {
  return (
    <ul className="cards slots" aria-label="Créneaux proposés">
      {props.slots.slice(0, props.pick.length).map((s, i) => {
        const choice = props.pick[i];
        return (
          <li key={s.id} className="card" data-slot={s.id}>
            <h2 className="card-title">{when(s.start)}</h2>
            <p>{MODE_LABELS[s.mode] ?? s.mode}</p>
            {choice ? (
              <button type="button" className="primary" data-choice={choice.id} disabled={props.busy} onClick={() => props.onChoose(choice.id)}>
                Choisir ce créneau <span className="sr-only">: {when(s.start)}</span>
              </button>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
