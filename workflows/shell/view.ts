/**
 * What the session shows: the `view` query and the `input` update's answer (prompts said since the last input,
 * what the caller may answer, whether the session listens), the `trace` query, and the one-line details operators
 * read in the Temporal UI. Pure: the workflow records into it, queries read from it.
 */
import type { CompiledMachine } from '../../lib/machine/model';
import type { ListenSpec, SessionState, TraceEvent } from '../engine/types';
import { redactCtx } from '../redact';
import type { SessionView } from '../session-api';

export class ViewState {
  /** Everything the engine reported in this run, and the prompts said (bounded by the run's length). */
  private readonly trace: TraceEvent[] = [];
  private prompts: string[] = [];
  private listen: ListenSpec | undefined;
  /** True only while the workflow waits for the caller, with every command of the turn done. */
  listening = false;

  /** The last listen armed: its timeout and hints apply to the next answer. */
  get lastListen(): ListenSpec | undefined {
    return this.listen;
  }

  recordTrace(events: readonly TraceEvent[]): void {
    this.trace.push(...events);
  }

  /** A prompt reached the channel: the caller's view and the transcript both show it. */
  said(state: string, text: string): void {
    this.prompts.push(text);
    this.trace.push({ kind: 'say', state, text });
  }

  listened(spec: ListenSpec): void {
    this.listen = spec;
  }

  /** An input is being applied: the prompts shown from now on answer it. */
  newTurn(): void {
    this.prompts = [];
  }

  traceSince(since: number): { events: TraceEvent[]; next: number } {
    return { events: this.trace.slice(Math.max(0, since)), next: this.trace.length };
  }

  render(machine: CompiledMachine, session: SessionState, turn: number): SessionView {
    return {
      state: session.state,
      screen: machine.states[session.state]?.screen,
      prompts: [...this.prompts],
      lastPrompt: session.lastPrompt,
      waiting: session.waiting,
      listening: this.listening,
      listen: this.listen,
      turn,
      ended: session.ended,
      ctx: redactCtx(session.ctx),
    };
  }
}

/** The session's line in the Temporal UI: state, what it waits for, and the start of the last prompt. */
export function detailsLine(session: SessionState): string {
  const said = session.lastPrompt ? ` — “${session.lastPrompt.slice(0, 120)}”` : '';
  return `**${session.state}** (${session.waiting})${said}`;
}
