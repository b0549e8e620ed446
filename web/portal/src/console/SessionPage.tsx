/** The console's session page (being built: see issue 15). */
export function SessionPage(props: { id?: string }): React.ReactElement {
  return <section aria-labelledby="page-title"><h1 id="page-title">Session</h1><p>{props.id ?? ''}</p></section>;
}
