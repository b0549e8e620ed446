/**
 * Diagrams of a compiled machine: Mermaid flowchart or Graphviz dot. States are grouped by screen (C0…C7),
 * edges carry what takes them (intent and DTMF keys, "text", no-input, no-match, success, failure, …). Global
 * routes and globals.exhausted_next are drawn once from a note node rather than from every state.
 */
import { allEdges, isListening, type Edge } from './graph';
import type { CompiledMachine, CompiledState } from './model';

export type DiagramFormat = 'mermaid' | 'dot';

interface MergedEdge {
  from: string;
  to: string;
  labels: string[];
  dashed: boolean;
}

const GLOBAL_NODE = '__global_routes';
const EXHAUSTED_NODE = '__exhausted';

function mergedEdges(m: CompiledMachine): MergedEdge[] {
  const out = new Map<string, MergedEdge>();
  const add = (from: string, to: string, label: string, dashed: boolean): void => {
    const key = `${from}\u0000${to}`;
    const e = out.get(key) ?? { from, to, labels: [], dashed };
    if (!e.labels.includes(label)) e.labels.push(label);
    e.dashed = e.dashed && dashed;
    out.set(key, e);
  };
  for (const e of allEdges(m) as Edge[]) {
    if (e.kind === 'global_route' || e.kind === 'exhausted') continue; // drawn once, below
    if (!m.states[e.to]) continue;
    // An outcome written on the branch is part of what the branch means: drawn with it ("success ⇒ confirmed").
    const label = e.outcomeWritten ? `${e.label} ⇒ ${e.outcome}` : e.label;
    add(e.from, e.to, label, e.kind === 'max_visits' || e.kind === 'fallback' || e.kind === 'noinput' || e.kind === 'nomatch');
  }
  m.globalRoutes.forEach((r) => {
    if (!m.states[r.next]) return;
    const label = 'intent' in r.when ? `${r.when.intent}${m.intents[r.when.intent]?.dtmf.length ? ` [${m.intents[r.when.intent]?.dtmf.join(' ')}]` : ''}` : `"${r.when.text}"`;
    add(GLOBAL_NODE, r.next, label, true);
  });
  if (m.exhaustedNext && m.states[m.exhaustedNext]) add(EXHAUSTED_NODE, m.exhaustedNext, 'counters exhausted / unhandled failure', true);
  return [...out.values()];
}

function byScreen(m: CompiledMachine): Map<string, CompiledState[]> {
  const groups = new Map<string, CompiledState[]>();
  for (const s of Object.values(m.states)) {
    const g = s.screen ?? '';
    groups.set(g, [...(groups.get(g) ?? []), s]);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })));
}

function nodeId(name: string): string {
  return 'n_' + name.replace(/[^A-Za-z0-9]/g, '_');
}

function mermaidText(t: string): string {
  return t.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

function mermaidNode(s: CompiledState): string {
  const label = `"${mermaidText(s.name)}<br/><small>${s.type}</small>"`;
  const id = nodeId(s.name);
  switch (s.type) {
    case 'action_then_prompt':
      return `${id}[[${label}]]`;
    case 'handoff':
      return `${id}{{${label}}}`;
    case 'prompt_end':
      return `${id}([${label}])`;
    default:
      return isListening(s) ? `${id}[${label}]` : `${id}[${label}]`;
  }
}

export function toMermaid(m: CompiledMachine): string {
  const lines = [`%% ${m.name} ${m.version} (${m.source.file}, sha256 ${m.source.sha256.slice(0, 12)})`, 'flowchart TD'];
  for (const [screen, states] of byScreen(m)) {
    const indent = screen ? '    ' : '  ';
    if (screen) lines.push(`  subgraph ${screen}["${screen}"]`);
    for (const s of states) lines.push(indent + mermaidNode(s));
    if (screen) lines.push('  end');
  }
  if (m.globalRoutes.length) lines.push(`  ${GLOBAL_NODE}(("any listening state"))`);
  if (m.exhaustedNext) lines.push(`  ${EXHAUSTED_NODE}(("any state"))`);
  lines.push(`  start(( )) --> ${nodeId(m.entry)}`);
  for (const e of mergedEdges(m)) {
    const from = e.from.startsWith('__') ? e.from : nodeId(e.from);
    lines.push(`  ${from} ${e.dashed ? '-.->' : '-->'}|"${mermaidText(e.labels.join(' / '))}"| ${nodeId(e.to)}`);
  }
  return lines.join('\n') + '\n';
}

function dotString(t: string): string {
  return `"${t.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const DOT_SHAPES: Record<CompiledState['type'], string> = {
  prompt_and_listen: 'box, style="rounded"',
  listen: 'box, style="rounded,dashed"',
  action_then_prompt: 'box, style="filled", fillcolor="#eef3ff"',
  handoff: 'hexagon, style="filled", fillcolor="#fff3e0"',
  prompt_end: 'doublecircle',
};

export function toDot(m: CompiledMachine): string {
  const lines = [
    `digraph ${dotString(m.name)} {`,
    `  label=${dotString(`${m.name} ${m.version}`)}; labelloc=t; rankdir=LR; compound=true;`,
    '  node [fontname="Helvetica", fontsize=10, shape=box];',
    '  edge [fontname="Helvetica", fontsize=8];',
    '  __start [shape=point, width=0.15];',
  ];
  for (const [screen, states] of byScreen(m)) {
    const indent = screen ? '    ' : '  ';
    if (screen) lines.push(`  subgraph ${dotString('cluster_' + screen)} {`, `    label=${dotString(screen)}; style="rounded"; color="#888888";`);
    for (const s of states) lines.push(`${indent}${dotString(s.name)} [label=${dotString(`${s.name}\n${s.type}`)}, shape=${DOT_SHAPES[s.type]}];`);
    if (screen) lines.push('  }');
  }
  if (m.globalRoutes.length) lines.push(`  ${GLOBAL_NODE} [label="any listening state", shape=note, style=dashed];`);
  if (m.exhaustedNext) lines.push(`  ${EXHAUSTED_NODE} [label="any state", shape=note, style=dashed];`);
  lines.push(`  __start -> ${dotString(m.entry)};`);
  for (const e of mergedEdges(m)) {
    const from = e.from.startsWith('__') ? e.from : dotString(e.from);
    lines.push(`  ${from} -> ${dotString(e.to)} [label=${dotString(e.labels.join('\n'))}${e.dashed ? ', style=dashed' : ''}];`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

export function renderDiagram(m: CompiledMachine, format: DiagramFormat): string {
  return format === 'dot' ? toDot(m) : toMermaid(m);
}
