/**
 * The machine's diagram as inline SVG (layout.ts): the states entered are marked, the current one stands out, and
 * the transitions the session took are drawn bold with their label. Styling is by class only (the CSP allows no
 * inline style).
 */
import { useMemo } from 'react';
import { edgeBetween, layeredLayout } from './layout';
import type { MachineGraph, PathStep } from './types';

const short = (s: string, n = 24) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function Diagram(props: { graph: MachineGraph; path: PathStep[]; current: string | null; running: boolean }): React.ReactElement {
  const { graph, path, current } = props;
  // Placed once per machine from the edges drawn for everyone; the session's own transitions are added on top.
  const layout = useMemo(() => layeredLayout({ ...graph, edges: graph.edges.filter((e) => e.kind !== 'exhausted') }), [graph]);
  const at = useMemo(() => new Map(layout.nodes.map((n) => [n.id, n])), [layout]);
  const visited = new Set(path.map((p) => p.state));
  const pairOf = (from: string, to: string) => `${from}\u0000${to}`;
  const taken = new Set(path.slice(1).map((p, i) => pairOf(path[i]!.state, p.state)));
  const byPair = new Map(graph.edges.map((e) => [pairOf(e.from, e.to), e]));
  const labels = new Map(graph.edges.map((e) => [pairOf(e.from, e.to), e.labels.join(' · ')]));
  // Every edge but the exhausted ones (drawn only when taken), and any transition taken that the graph lacks.
  const drawn = [
    ...graph.edges.filter((e) => e.kind !== 'exhausted' || taken.has(pairOf(e.from, e.to))),
    ...[...taken].filter((k) => !byPair.has(k)).map((k) => {
      const [from, to] = k.split('\u0000') as [string, string];
      return { from, to, labels: [], input: false, kind: 'main' as const };
    }),
  ].flatMap((e) => {
    const placed = edgeBetween(at, e.from, e.to);
    return placed ? [{ ...placed, kind: e.kind }] : [];
  });
  const exhaustedTo = graph.edges.find((e) => e.kind === 'exhausted')?.to;
  const nodeInfo = new Map(graph.nodes.map((n) => [n.id, n]));
  const summary = path.length
    ? `Parcours : ${path.map((p) => p.state).join(' → ')}. ${current ? `État ${props.running ? 'actuel' : 'final'} : ${current}.` : ''}`
    : 'Aucun état parcouru connu.';
  return (
    <figure className="diagram">
      <div className="diagram-scroll">
        <svg className="diagram-svg" role="img" aria-labelledby="diagram-title diagram-desc" width={layout.width} height={layout.height} viewBox={`0 0 ${layout.width} ${layout.height}`}>
          <title id="diagram-title">{`Machine ${graph.machine} ${graph.version}`}</title>
          <desc id="diagram-desc">{summary}</desc>
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" className="diagram-arrow" />
            </marker>
            <marker id="arrow-taken" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" className="diagram-arrow taken" />
            </marker>
          </defs>
          {drawn.map((e) => {
            const key = pairOf(e.from, e.to);
            const isTaken = taken.has(key);
            return (
              <g key={key} className={`diagram-edge ${e.kind}${isTaken ? ' taken' : ''}`}>
                <title>{`${e.from} → ${e.to} : ${labels.get(key) ?? ''}`}</title>
                <path d={e.d} markerEnd={isTaken ? 'url(#arrow-taken)' : 'url(#arrow)'} />
                {isTaken && <text x={e.labelX} y={e.labelY} className="diagram-edge-label">{short(labels.get(key) ?? '', 30)}</text>}
              </g>
            );
          })}
          {layout.nodes.map((n) => {
            const info = nodeInfo.get(n.id);
            const cls = ['diagram-node', visited.has(n.id) ? 'visited' : '', n.id === current ? 'current' : '', info?.final ? 'final' : ''].filter(Boolean).join(' ');
            return (
              <g key={n.id} className={cls} data-state={n.id}>
                <title>{`${n.id} (${info?.type ?? ''}${info?.screen ? `, écran ${info.screen}` : ''})`}</title>
                <rect x={n.x} y={n.y} width={layout.nodeWidth} height={layout.nodeHeight} rx="8" />
                <text x={n.x + 10} y={n.y + 19} className="diagram-node-name">{short(n.id)}</text>
                <text x={n.x + 10} y={n.y + 37} className="diagram-node-meta">{[info?.screen, info?.type].filter(Boolean).join(' · ')}</text>
              </g>
            );
          })}
        </svg>
      </div>
      <figcaption>
        <span className="legend visited">parcouru</span> <span className="legend current">{props.running ? 'état actuel' : 'état final'}</span>
        {graph.globalRoutes.length > 0 && <> — depuis tout état qui écoute : {graph.globalRoutes.map((r) => `${r.label} → ${r.to}`).join(' ; ')}</>}
        {exhaustedTo && <> — compteurs épuisés ou échec non traité : → {exhaustedTo} (tracé seulement s’il a été pris)</>}
      </figcaption>
    </figure>
  );
}
