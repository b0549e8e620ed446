/** A checker rule: one file per rule in this folder, listed in ./index.ts. */
import type { Diagnostic } from '../diagnostics';
import type { GlobalRef } from '../globals';
import type { CompiledMachine, JsonValue } from '../model';
import type { MachineSource } from '../source';

/** Rules over the document: they run even when the schema fails. */
export interface DocumentContext {
  src: MachineSource;
  refs: GlobalRef[];
  /** The `globals` block as written. */
  globals: JsonValue;
}

export interface MachineContext extends DocumentContext {
  machine: CompiledMachine;
}

export type Rule =
  | { code: string; phase: 'document'; run(ctx: DocumentContext): Diagnostic[] }
  | { code: string; phase: 'machine'; run(ctx: MachineContext): Diagnostic[] };
