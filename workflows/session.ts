/**
 * The session workflow: the durable shell around the pure engine. One run per call or portal session.
 *
 * A short loop: run the commands of the engine's last step (shell/commands.ts), wait for the caller with a durable
 * timer (`condition` with the state's no-input timeout), take the next input from the inbox (shell/inbox.ts: arrival
 * order, once per event id, hang-up first), feed it to the engine, again. The view (shell/view.ts) answers the
 * `view` query and the portal's `input` update. The machine is frozen in the workflow input: editing a YAML never
 * changes a session in flight.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  patched,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type { CompiledMachine } from '../lib/machine/model';
import { startSession, step } from './engine';
import type { Ctx, EngineInput, SessionState, Step } from './engine/types';
import { firstViewUpdate, inputSignal, inputUpdate, traceQuery, viewQuery, type ChannelFailure, type SessionInput, type SessionResult } from './session-api';
import { CommandRunner, SafetyNet } from './shell/commands';
import { isOrdinaryHangup } from './shell/hangup-causes';
import { checkPortalInput, Inbox } from './shell/inbox';
import { endingOf, SessionStatus } from './shell/status';
import { ViewState } from './shell/view';
import { afterIdle, waitLimitSec } from './shell/waiting';

export async function sessionWorkflow(input: SessionInput): Promise<SessionResult> {
  const { workflowId } = workflowInfo();
  const machine = withGlobals(input);
  const inbox = new Inbox(input.resume);
  const view = new ViewState();
  const status = new SessionStatus();
  const clock = () => ({ nowIso: new Date().toISOString() });
  // The voice channel reports no-inputs itself since this marker; older runs replay with the session's own timer.
  const channelReportsNoInput = input.channel === 'voice' && input.voiceTaskQueue !== undefined && patched(CHANNEL_NOINPUT_PATCH);
  // Since this marker that channel's safety net is one sliding timer, not a timer started and cancelled per wait.
  const safetyNet = channelReportsNoInput && patched(SLIDING_SAFETY_NET_PATCH) ? new SafetyNet() : undefined;
  // Since this marker a voice turn waits for the caller and its result is the answer (lib/esl/turns.ts).
  const turnsAwaitInput = safetyNet !== undefined && patched(TURN_AWAITS_INPUT_PATCH);
  const runner = new CommandRunner({
    workflowId,
    callId: input.callId,
    ...(input.channel === 'voice' && input.voiceTaskQueue ? { voiceTaskQueue: input.voiceTaskQueue } : {}),
    inbox,
    view,
    turnsAwaitInput,
  });
  /** A FreeSWITCH command that failed for good: the session ends in `error` with it instead of failing the run. */
  let failure: ChannelFailure | undefined;

  let last: Step;
  if (input.resume) {
    last = { session: input.resume.session, commands: [], trace: [] };
  } else {
    const { machine: frozen } = input;
    upsertMemo({
      machine: frozen.name,
      machineVersion: frozen.version,
      machineSha256: frozen.source.sha256,
      machineFile: frozen.source.file,
    });
    // Since this marker a lone '#' nobody routes is ignored in every state, not only in collect states.
    last = startSession(machine, initialCtx(input, workflowId), clock(), { ignoreLoneTerminator: patched(LONE_TERMINATOR_PATCH) });
    view.recordTrace(last.trace);
  }
  const current = (): SessionState => last.session;
  const feed = (engineInput: EngineInput) => {
    last = step(machine, current(), engineInput, clock());
    view.recordTrace(last.trace);
  };
  const render = () => view.render(machine, current(), inbox.consumed);

  setHandler(inputSignal, (event) => {
    inbox.accept(event);
  });
  setHandler(
    inputUpdate,
    async (event) => {
      const position = inbox.accept(event);
      if (position === -1) return render();
      await condition(() => inbox.consumed >= position && (view.listening || current().ended !== undefined));
      return render();
    },
    { validator: (event) => checkPortalInput(current(), event) },
  );
  setHandler(firstViewUpdate, async () => {
    await condition(() => view.listening || current().ended !== undefined);
    return render();
  });
  setHandler(viewQuery, render);
  setHandler(traceQuery, (since) => view.traceSince(since));

  /**
   * Runs the commands of the last step, feeding what they produce back, until the engine waits for the caller or
   * ends. A hang-up queued while a command ran is applied instead of that command's result.
   */
  const advance = async () => {
    for (;;) {
      status.publish(current());
      let produced: EngineInput | undefined;
      try {
        produced = await runner.run(last.commands, current().state);
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        failure = { kind: 'command', cause: (err.cause?.message ?? err.message).slice(0, 500) };
        return;
      }
      if (!produced) return;
      if (produced.kind !== 'hangup' && inbox.takeHangup()) produced = { kind: 'hangup' };
      feed(produced);
    }
  };

  /** Waits for the caller up to the state's no-input timeout; a hang-up wins over anything else queued. */
  const nextInput = async (): Promise<EngineInput> => {
    const timeoutSec = waitLimitSec(input.channel, view.lastListen, { channelReportsNoInput, globals: machine.globals });
    view.listening = true;
    let gotInput: boolean;
    if (safetyNet) {
      // The answer a turn brought is already queued: no net to arm (older runs armed it all the same).
      if (!(turnsAwaitInput && inbox.pending)) {
        safetyNet.arm(timeoutSec * 1000);
        await condition(() => inbox.pending || safetyNet.expired);
        safetyNet.disarm();
      }
      gotInput = inbox.pending;
    } else {
      gotInput = await condition(() => inbox.pending, `${timeoutSec} seconds`);
    }
    const idle = gotInput ? undefined : afterIdle(input.channel, machine.globals);
    // Web: a reader past the idle limit is paused (same state, no re-prompt) until the session's lifetime is over.
    if (idle?.kind === 'pause') {
      gotInput = idle.pauseSec > 0 && (await condition(() => inbox.pending, `${idle.pauseSec} seconds`));
      if (!gotInput) {
        view.listening = false;
        return { kind: 'hangup' };
      }
    }
    view.listening = false;
    if (inbox.takeHangup()) return { kind: 'hangup' };
    const event = gotInput ? inbox.take() : undefined;
    if (!event) return { kind: 'noinput' };
    view.newTurn();
    return runner.input(event, view.lastListen?.hints ?? []);
  };

  /** Turn after turn until the session ends; continues as new when Temporal suggests it, between turns. */
  const converse = async (): Promise<NonNullable<SessionState['ended']>> => {
    await advance();
    for (;;) {
      const session = current();
      if (failure) return { outcome: 'error', state: session.state };
      if (session.ended) return session.ended;
      if (session.waiting !== 'input') {
        throw ApplicationFailure.nonRetryable(
          `engine stopped in state '${session.state}' waiting for '${session.waiting}' with nothing to run`,
          'EngineStalled',
        );
      }
      feed(await nextInput());
      await advance();

      if (!current().ended && !inbox.pending && workflowInfo().continueAsNewSuggested) {
        // The session waits for the caller now: a portal update waiting for this view may return it, then the run
        // hands over (an input arriving meanwhile is applied here first, and the check runs again after it).
        view.listening = true;
        await condition(() => allHandlersFinished() || inbox.pending);
        view.listening = false;
        if (!inbox.pending) {
          await continueAsNew<typeof sessionWorkflow>({ ...input, resume: { session: current(), ...inbox.snapshot() } });
        }
      }
    }
  };

  const ended = await converse();
  if (failure) {
    // Nobody drives the call any more: hang it up if it is still there (best effort, the channel may be the cause).
    await runner.run([{ kind: 'end', outcome: 'error' }], ended.state).catch(() => undefined);
  } else if (ended.outcome === 'hangup' && !isOrdinaryHangup(inbox.hangupCause)) {
    failure = { kind: 'hangup', cause: inbox.hangupCause as string };
  }
  const outcome = failure ? 'error' : ended.outcome;
  const ending = endingOf(outcome, failure ? { name: 'error', goal: false } : ended.declared);
  status.ended(ending);
  status.publish(current());
  // Let a portal update waiting for this last view return it before the run closes.
  await condition(allHandlersFinished);
  const screen = machine.states[ended.state]?.screen;
  return { outcome, ...ending, state: ended.state, ...(screen !== undefined ? { screen } : {}), turns: inbox.consumed, ...(failure ? { failure } : {}) };
}

const CHANNEL_NOINPUT_PATCH = 'voice-channel-reports-noinput';
const SLIDING_SAFETY_NET_PATCH = 'voice-sliding-safety-net';
const LONE_TERMINATOR_PATCH = 'lone-terminator-ignored';
const TURN_AWAITS_INPUT_PATCH = 'voice-turn-awaits-input';

/** The machine with this session's overrides of its globals (conversation scripts shorten timeouts). */
function withGlobals(input: SessionInput): CompiledMachine {
  const { machine, globals } = input;
  return globals ? { ...machine, globals: { ...machine.globals, ...globals } } : machine;
}

function initialCtx(input: SessionInput, workflowId: string): Ctx {
  return {
    ...(input.ctx ?? {}),
    call_id: input.callId,
    session_id: workflowId,
    channel: input.channel,
    ...(input.caller ? { caller: input.caller } : {}),
  };
}
