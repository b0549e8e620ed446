/** The console's leads page (being built: see issue 15). */
export function LeadsPage(props: { id?: string }): React.ReactElement {
  return <section aria-labelledby="page-title"><h1 id="page-title">Leads</h1><p>{props.id ?? ''}</p></section>;
}
