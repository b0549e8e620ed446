/** The console's sessions page (being built: see issue 15). */
export function SessionsPage(props: { id?: string }): React.ReactElement {
  return <section aria-labelledby="page-title"><h1 id="page-title">Sessions</h1><p>{props.id ?? ''}</p></section>;
}
