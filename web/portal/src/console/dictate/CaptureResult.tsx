/** What a confirmed capture did in Odoo: the partner created or matched, the lead created or updated, with links. */
import { odooRecordUrl } from '../console-client';
import type { CaptureAnswer } from './types';

export function CaptureResult(props: { result: CaptureAnswer; odooUrl: string | null; onAnother: () => void }): React.ReactElement {
  const { partner, lead, contact } = props.result;
  const name = [contact.firstname, contact.lastname].filter(Boolean).join(' ') || contact.email || contact.phone || '';
  const link = (model: 'res.partner' | 'crm.lead', id: number, text: string) =>
    props.odooUrl ? <a href={odooRecordUrl(props.odooUrl, model, id)} target="_blank" rel="noopener noreferrer">{text}</a> : <span>{text}</span>;
  const matched = partner && !partner.created ? (partner.matched_by === 'email' ? ' (retrouvé par son e-mail)' : partner.matched_by === 'phone' ? ' (retrouvé par son téléphone)' : '') : '';
  return (
    <section className="card result" aria-labelledby="result-title" data-result>
      <h2 id="result-title" tabIndex={-1}>{partner?.created ? 'Contact créé' : 'Contact existant retrouvé'}</h2>
      <dl className="facts">
        <div><dt>Contact</dt><dd data-partner={partner?.id}>{partner ? link('res.partner', partner.id, `${name} — n° ${partner.id}`) : 'aucun'}{matched}</dd></div>
        <div><dt>Piste</dt><dd data-lead={lead?.id}>{lead ? <>{link('crm.lead', lead.id, `n° ${lead.id}`)} {lead.created ? '(nouvelle)' : '(piste ouverte mise à jour)'}</> : 'aucune'}</dd></div>
      </dl>
      {!props.odooUrl && <p className="hint">Pour des liens vers Odoo, l’API doit connaître son adresse : ODOO_PUBLIC_URL.</p>}
      <button type="button" className="primary" onClick={props.onAnother}>Dicter un autre contact</button>
    </section>
  );
}
