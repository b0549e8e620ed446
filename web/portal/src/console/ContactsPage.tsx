/** The console's contacts: persons in Odoo, newest first, searched by name, e-mail or a number in any spelling. */
import { PagedList, frenchDate, usePagedList, type Column } from './lists/paged';

interface Contact {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  created_at: string | null;
}

const pick = (b: unknown) => {
  const body = b as { contacts: Contact[]; offset: number; next_offset: number | null };
  return { rows: body.contacts, offset: body.offset, next_offset: body.next_offset };
};

const COLUMNS: Column<Contact>[] = [
  { label: 'Nom', cell: (c) => c.name || '—' },
  { label: 'E-mail', cell: (c) => c.email ?? '—' },
  { label: 'Téléphone', cell: (c) => c.phone ?? '—' },
  { label: 'Créé le', cell: (c) => frenchDate(c.created_at) },
];

export function ContactsPage(): React.ReactElement {
  const list = usePagedList<Contact>('/crm/contacts', pick);
  return (
    <PagedList title="Contacts" searchLabel="Rechercher un contact" searchHint="Nom, e-mail ou numéro, écrit comme vous voulez (06 12…, +33 6…)."
      empty="Aucun contact ne correspond." columns={COLUMNS} list={list} />
  );
}
