/**
 * A searchable, paged list of records read from an operator route (/crm/contacts, /crm/leads): a search box, a
 * table (cards on a phone), previous/next pages by the route's offset and next_offset.
 */
import { useCallback, useEffect, useState } from 'react';
import { ConsoleAuthError, getJson } from '../console-client';

export const PAGE_SIZE = 10;

export interface Page<T> {
  rows: T[];
  offset: number;
  nextOffset: number | null;
}

export interface Column<T> {
  label: string;
  cell: (row: T) => React.ReactNode;
}

export function usePagedList<T>(path: string, pick: (body: unknown) => { rows: T[]; next_offset: number | null; offset: number }) {
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const [page, setPage] = useState<Page<T> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async (query: string, from: number) => {
    setBusy(true);
    setError(null);
    try {
      const r = pick(await getJson<unknown>(path, { limit: PAGE_SIZE, offset: from, q: query.trim() }));
      setPage({ rows: r.rows, offset: r.offset, nextOffset: r.next_offset });
    } catch (err) {
      if (!(err instanceof ConsoleAuthError)) setError('La liste n’a pas pu être lue (Odoo ne répond pas ?). Réessayez.');
    } finally {
      setBusy(false);
    }
  }, [path, pick]);

  useEffect(() => void load(q, offset), [load, q, offset]);
  return { q, search: (text: string) => { setOffset(0); setQ(text); }, page, error, busy, go: setOffset };
}

export function PagedList<T extends { id: number }>(props: {
  title: string;
  searchLabel: string;
  searchHint: string;
  empty: string;
  columns: Column<T>[];
  list: ReturnType<typeof usePagedList<T>>;
}): React.ReactElement {
  const { list } = props;
  const [text, setText] = useState(list.q);
  const page = list.page;
  const first = page ? page.offset + 1 : 0;
  const last = page ? page.offset + page.rows.length : 0;
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">{props.title}</h1>
      <form className="search" role="search" onSubmit={(e) => { e.preventDefault(); list.search(text); }}>
        <div className="field">
          <label htmlFor="list-q">{props.searchLabel}</label>
          <input id="list-q" type="search" value={text} aria-describedby="list-q-hint" onChange={(e) => setText(e.target.value)} />
          <p className="hint" id="list-q-hint">{props.searchHint}</p>
        </div>
        <button type="submit" className="primary" disabled={list.busy}>Rechercher</button>
      </form>
      {list.error && <p className="error" role="alert">{list.error}</p>}
      <p role="status" aria-live="polite" className="sr-only">{list.busy ? 'Chargement…' : page ? `${page.rows.length} résultat(s) affiché(s)` : ''}</p>
      {page && page.rows.length === 0 && <p className="notice">{props.empty}</p>}
      {page && page.rows.length > 0 && (
        <table className="records" aria-describedby="list-range">
          <thead><tr>{props.columns.map((c) => <th key={c.label} scope="col">{c.label}</th>)}</tr></thead>
          <tbody>
            {page.rows.map((r) => (
              <tr key={r.id} data-id={r.id}>
                {props.columns.map((c) => <td key={c.label} data-label={c.label}>{c.cell(r)}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && (
        <nav className="pager" aria-label="Pages">
          <button type="button" className="secondary" disabled={list.busy || page.offset === 0} onClick={() => list.go(Math.max(0, page.offset - PAGE_SIZE))}>Page précédente</button>
          <p id="list-range">{page.rows.length ? `Résultats ${first} à ${last}` : ''}</p>
          <button type="button" className="secondary" disabled={list.busy || page.nextOffset === null} onClick={() => page.nextOffset !== null && list.go(page.nextOffset)}>Page suivante</button>
        </nav>
      )}
    </section>
  );
}

/** An Odoo date-time ("2026-12-02 13:05:00", UTC) as a French date; the raw text when it is not one. */
export function frenchDate(value: string | null): string {
  if (!value) return '';
  const d = new Date(`${value.replace(' ', 'T')}Z`);
  return Number.isNaN(d.getTime()) ? value : d.toLocaleDateString('fr-FR', { day: 'numeric', month: 'short', year: 'numeric' });
}
