import { useId, useState, type FormEvent } from 'react';

const FIELDS: Record<string, { label: string; hint?: string; type: string; inputMode?: 'tel' | 'numeric' | 'text'; autoComplete: string; multiline?: boolean }> = {
  phone: { label: 'Votre numéro de téléphone', hint: 'Par exemple 06 12 34 56 78.', type: 'tel', inputMode: 'tel', autoComplete: 'tel' },
  otp: { label: 'Code reçu par SMS', hint: 'Les chiffres du code, sans espace.', type: 'text', inputMode: 'numeric', autoComplete: 'one-time-code' },
  date_nl: { label: 'À partir de quelle date ?', hint: 'Par exemple « lundi prochain », « le 12 mars » ou « dès que possible ».', type: 'text', autoComplete: 'off' },
  free_speech_or_no: { label: 'Votre commentaire', hint: 'Écrivez « non » si vous n’en avez pas.', type: 'text', autoComplete: 'off', multiline: true },
};

/** The value the state collects, as a labelled form field; what it means is checked by the session. */
export function CollectField(props: { mode: string; length?: number; busy: boolean; onSubmit(text: string): void }) {
  const id = useId();
  const [value, setValue] = useState('');
  const f = FIELDS[props.mode] ?? { label: 'Votre réponse', type: 'text', autoComplete: 'off' };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim() === '' || props.busy) return;
    props.onSubmit(value.trim());
    setValue('');
  };
  const common = {
    id,
    name: props.mode,
    value,
    required: true,
    'aria-describedby': f.hint ? `${id}-hint` : undefined,
    disabled: props.busy,
    autoComplete: f.autoComplete,
  };
  return (
    <form className="collect" onSubmit={submit} noValidate>
      <label htmlFor={id}>{f.label}</label>
      {f.hint ? <p id={`${id}-hint`} className="hint">{f.hint}</p> : null}
      {f.multiline ? (
        <textarea {...common} rows={3} maxLength={500} onChange={(e) => setValue(e.target.value)} />
      ) : (
        <input
          {...common}
          type={f.type}
          inputMode={f.inputMode}
          maxLength={props.mode === 'otp' ? (props.length ?? 8) : 100}
          onChange={(e) => setValue(e.target.value)}
        />
      )}
      <button type="submit" className="primary" disabled={props.busy}>
        Valider
      </button>
    </form>
  );
}
