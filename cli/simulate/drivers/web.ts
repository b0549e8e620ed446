/**
 * Drives a web-channel session the way the portal does: inputs go in as the workflow's `input` update, which
 * returns once the session waits again; the view and trace come from queries.
 */
import crypto from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { CompiledMachine, JsonValue } from '../../../lib/machine/model';
import { startSessionWorkflow } from '../../../sessions/start';
import { inputSignal, inputUpdate, traceQuery, viewQuery, type CallerInput } from '../../../workflows/session-api';
import type { SessionDriver } from '../runner';

export interface WebDriverOptions {
  client: Client;
  machine: CompiledMachine;
  taskQueue: string;
  caller?: string;
  globals?: Record<string, JsonValue>;
  /** Session id; random when omitted. */
  callId?: string;
}

export class WebSessionDriver implements SessionDriver {
  readonly id: string;
  private handle: WorkflowHandle | undefined;

  constructor(private readonly opts: WebDriverOptions) {
    this.id = opts.callId ?? crypto.randomUUID();
  }

  async start(): Promise<void> {
    this.handle = await startSessionWorkflow(
      this.opts.client,
      {
        machine: this.opts.machine,
        channel: 'web',
        callId: this.id,
        ...(this.opts.caller ? { caller: this.opts.caller } : {}),
        ...(this.opts.globals ? { globals: this.opts.globals } : {}),
      },
      { taskQueue: this.opts.taskQueue },
    );
  }

  get workflowId(): string | undefined {
    return this.handle?.workflowId;
  }

  private get session(): WorkflowHandle {
    if (!this.handle) throw new Error('session not started');
    return this.handle;
  }

  view() {
    return this.session.query(viewQuery);
  }

  trace(since: number) {
    return this.session.query(traceQuery, since);
  }

  async send(input: CallerInput): Promise<void> {
    // A hang-up or a barge-in does not wait for an answer; a turn does (like the portal's form post).
    if (input.kind === 'hangup') await this.session.signal(inputSignal, input);
    else await this.session.executeUpdate(inputUpdate, { args: [input] });
  }

  async stop(): Promise<void> {
    const view = await this.session.query(viewQuery).catch(() => undefined);
    if (view && !view.ended) await this.session.terminate('conversation script finished').catch(() => undefined);
  }
}
