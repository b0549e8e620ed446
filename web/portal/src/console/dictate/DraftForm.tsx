/**
 * The extracted contact, one field per line, editable: what the API flags as uncertain (needs_check) is marked
 * "à vérifier" until the operator edits it; the API's own field errors (400) are shown beside their field.
 */
import { useState } from 'react';
import { FIELD_LABELS, FIELDS, type ContactField, type ContactValues, type DraftAnswer } from './types';

export interface Consents {
  sms: boolean;
  whatsapp: boolean;
}

const INPUT_TYPES: Record<ContactField, { type: string; autoComplete: string }> = {
  firstname: { type: 'text', autoComplete: 'off' },
  lastname: { type: 'text', autoComplete: 'off' },
  email: { type: 'email', autoComplete: 'off' },
  phone: { type: 'tel', autoComplete: 'off' },
};

export function DraftForm(props: {
  draft: DraftAnswer;
  busy: boolean;
  fieldErrors: Partial<Record<ContactField, string>>;
  onConfirm: (values: ContactValues, consents: Consents) => void;
  onCancel: () => void;
}): React.ReactElement {
  const c = props.draft.contact;
  const [values, setValues] = useState<Record<ContactField, string>>({
    firstname: c.firstname ?? '', lastname: c.lastname ?? '', email: c.email ?? '', phone: c.phone ?? '',
  });
  const [edited, setEdited] = useState<Set<ContactField>>(new Set());
  const spoken = (ch: 'sms' | 'whatsapp') => props.draft.consents?.find((x) => x.channel === ch)?.granted === true;
  const [consents, setConsents] = useState<Consents>({ sms: spoken('sms'), whatsapp: spoken('whatsapp') });
  const flagged = (f: ContactField) => props.draft.needs_check.includes(f) && !edited.has(f);
  const toCheck = FIELDS.filter(flagged);

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const v = (f: ContactField) => (values[f].trim() === '' ? null : values[f].trim());
    props.onConfirm({ firstname: v('firstname'), lastname: v('lastname'), email: v('email'), phone: v('phone') }, consents);
  };

  return (
    <form onSubmit={submit} aria-labelledby="draft-title" noValidate>
      <h2 id="draft-title">Contact extrait</h2>
      {toCheck.length > 0 && (
        <p className="notice" data-needs-check>
          À vérifier avant de confirmer : {toCheck.map((f) => FIELD_LABELS[f].toLowerCase()).join(', ')}.
        </p>
      )}
      {props.draft.phone_from_caller && <p className="hint">Le téléphone est le numéro de l’appel, pas un numéro dicté.</p>}
      <div className="draft-fields">
        {FIELDS.map((f) => {
          const id = `field-${f}`;
          const described = [flagged(f) ? `${id}-check` : '', props.fieldErrors[f] ? `${id}-error` : ''].filter(Boolean).join(' ');
          return (
            <div key={f} className={`field${flagged(f) ? ' needs-check' : ''}`} data-field={f}>
              <label htmlFor={id}>{FIELD_LABELS[f]}</label>
              <input id={id} name={f} {...INPUT_TYPES[f]} value={values[f]} aria-describedby={described || undefined}
                aria-invalid={props.fieldErrors[f] ? true : undefined}
                onChange={(e) => {
                  const value = e.target.value;
                  setValues((old) => ({ ...old, [f]: value }));
                  setEdited((old) => new Set(old).add(f));
                }} />
              {flagged(f) && <p className="check-flag" id={`${id}-check`}>À vérifier : la transcription est incertaine.</p>}
              {props.fieldErrors[f] && <p className="field-error" id={`${id}-error`}>{props.fieldErrors[f]}</p>}
            </div>
          );
        })}
      </div>
      <fieldset className="consents">
        <legend>Consentements de la personne</legend>
        <label><input type="checkbox" name="consent_sms" checked={consents.sms} onChange={(e) => setConsents({ ...consents, sms: e.target.checked })} /> Accepte les SMS</label>
        <label><input type="checkbox" name="consent_whatsapp" checked={consents.whatsapp} onChange={(e) => setConsents({ ...consents, whatsapp: e.target.checked })} /> Accepte WhatsApp</label>
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" disabled={props.busy}>{props.busy ? 'Enregistrement…' : 'Confirmer et créer dans Odoo'}</button>
        <button type="button" className="secondary" onClick={props.onCancel} disabled={props.busy}>Recommencer</button>
      </div>
    </form>
  );
}
