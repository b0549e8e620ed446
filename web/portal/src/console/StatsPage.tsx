/** The console's stats page (being built: see issue 15). */
export function StatsPage(props: { id?: string }): React.ReactElement {
  return <section aria-labelledby="page-title"><h1 id="page-title">Stats</h1><p>{props.id ?? ''}</p></section>;
}
