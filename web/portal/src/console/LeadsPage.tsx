/** The console's leads: crm.lead in Odoo, newest first, searched by name, contact, e-mail or phone. */
import { PagedList, frenchDate, usePagedList, type Column } from './lists/paged';

interface Lead {
  id: number;
  name: string;
  contact_name: string | null;
  email: string | null;
  phone: string | null;
  partner: { id: number; name: string } | null;
  type: string | null;
  created_at: string | null;
}

const pick = (b: unknown) => {
  const body = b as { leads: Lead[]; offset: number; next_offset: number | null };
  return { rows: body.leads, offset: body.offset, next_offset: body.next_offset };
};

const COLUMNS: Column<Lead>[] = [
  { label: 'Piste', cell: (l) => l.name || '—' },
  { label: 'Contact', cell: (l) => l.partner?.name ?? l.contact_name ?? '—' },
  { label: 'E-mail', cell: (l) => l.email ?? '—' },
  { label: 'Téléphone', cell: (l) => l.phone ?? '—' },
  { label: 'Type', cell: (l) => (l.type === 'opportunity' ? 'Opportunité' : 'Piste') },
  { label: 'Créée le', cell: (l) => frenchDate(l.created_at) },
];

export function LeadsPage(): React.ReactElement {
  const list = usePagedList<Lead>('/crm/leads', pick);
  return (
    <PagedList title="Pistes" searchLabel="Rechercher une piste" searchHint="Nom de la piste, du contact, e-mail ou téléphone."
      empty="Aucune piste ne correspond." columns={COLUMNS} list={list} />
  );
}
