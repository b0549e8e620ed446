import type { Choice } from '../types';
import { buttonText } from '../labels';

/** The state's routes as buttons, in the session's order. */
export function Choices(props: { choices: Choice[]; busy: boolean; onChoose(id: string): void; label?: string }) {
  if (props.choices.length === 0) return null;
  return (
    <nav className="choices" aria-label={props.label ?? 'Que souhaitez-vous faire ?'}>
      <ul>
        {props.choices.map((c) => (
          <li key={c.id}>
            <button type="button" className="choice" data-choice={c.id} disabled={props.busy} onClick={() => props.onChoose(c.id)}>
              {buttonText(c.label)}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** Choices that pick the n-th item of a list the session shows (appointments, slots), by the session's own ids. */
export const ORDINAL_CHOICES = ['choose_first', 'choose_second', 'choose_third'];

export function splitOrdinals(choices: Choice[]): { ordinal: (Choice | undefined)[]; rest: Choice[] } {
  const ordinal = ORDINAL_CHOICES.map((id) => choices.find((c) => c.id === id));
  return { ordinal, rest: choices.filter((c) => !ORDINAL_CHOICES.includes(c.id)) };
}
