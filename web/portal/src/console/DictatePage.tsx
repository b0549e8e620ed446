/** The console's dictate page (being built: see issue 15). */
export function DictatePage(props: { id?: string }): React.ReactElement {
  return <section aria-labelledby="page-title"><h1 id="page-title">Dictate</h1><p>{props.id ?? ''}</p></section>;
}
