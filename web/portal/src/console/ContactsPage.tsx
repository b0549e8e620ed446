/** The console's contacts page (being built: see issue 15). */
export function ContactsPage(props: { id?: string }): React.ReactElement {
  return <section aria-labelledby="page-title"><h1 id="page-title">Contacts</h1><p>{props.id ?? ''}</p></section>;
}
