/**
 * Drives a voice-channel session the way a phone does, over the event socket: the call is placed on the FreeSWITCH
 * simulator, the esl-bridge starts the session, keys are DTMF events, speech is audio the simulated `record`
 * captures (RECORD_STOP → bridge → transcribe on the voice worker → OpenAI simulator), hang-up is a real hang-up.
 * The view and trace are the workflow's queries (id `voice-<Unique-ID>`).
 *
 * Script steps: `dtmf` → keys pressed; `say` → the text synthesized by espeak-ng, spoken, and its transcript
 * registered with the OpenAI simulator for the recording that captures it; `audio` → the WAV spoken (its transcript
 * is the WAV's own INFO comment when it has one); `hangup` → the caller hangs up.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { synthesize } from '../../../activities/voice/tts';
import { wavPeak } from '../../../activities/stt/transcribe';
import { RUN_ID_VAR, type EslBridge, type SessionOverrides } from '../../../esl-bridge/bridge';
import { parseWav } from '../../../lib/audio/wav';
import type { JsonValue } from '../../../lib/machine/model';
import type { EslSimulator, SimCall } from '../../../sim/esl';
import type { OpenAiSimulator } from '../../../sim/openai';
import { traceQuery, viewQuery, type CallerInput, type SessionView } from '../../../workflows/session-api';
import type { SessionDriver } from '../runner';

/**
 * Registers, for each recording a simulated call writes, the transcript of what the caller said into it. It hooks
 * the call's list of recordings, which the simulator fills after writing the file and before RECORD_STOP, so the
 * transcript is known before anyone can ask for it.
 */
export class SpokenTranscripts {
  private readonly pending = new Map<string, string[]>();

  constructor(private readonly openai: OpenAiSimulator) {}

  attach(call: SimCall): void {
    const list = call.recordings;
    const push = list.push.bind(list);
    list.push = (...files: string[]) => {
      for (const f of files) this.onRecording(call.uuid, f);
      return push(...files);
    };
  }

  /** The next recording of this call that holds sound is `text`. */
  expect(callUuid: string, text: string): void {
    const q = this.pending.get(callUuid) ?? [];
    q.push(text);
    this.pending.set(callUuid, q);
  }

  private onRecording(uuid: string, file: string): void {
    const q = this.pending.get(uuid);
    if (!q?.length) return;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      return;
    }
    if ((wavPeak(bytes) ?? 0) < 300) return; // silence: the words are still to come
    this.openai.registerTranscript(bytes, q.shift() as string);
  }
}

export interface VoiceDriverOptions {
  client: Client;
  sim: EslSimulator;
  /** The node's esl-bridge: a caller speaks once it holds the turn waiting for the answer. */
  bridge: TurnHolder;
  /** For `say` steps (speech through speech-to-text); without it `say` is refused. */
  openai?: OpenAiSimulator;
  transcripts?: SpokenTranscripts;
  /** The IVR number of the simulated node (what the bridge answers). */
  destination: string;
  caller?: string;
  globals?: Record<string, JsonValue>;
  /** Where the bridge looks up per-run overrides (see `registerOverrides`). */
  overrides?: Map<string, SessionOverrides>;
  /** How long to wait for the session to take an input. Default 15 s. */
  inputTimeoutMs?: number;
}

/** Per-run session overrides the bridge applies to calls carrying `ivr_run_id`: pass `lookup` as its `overrides`. */
export function overridesRegistry(): { map: Map<string, SessionOverrides>; lookup: (runId: string) => SessionOverrides | undefined } {
  const map = new Map<string, SessionOverrides>();
  return { map, lookup: (runId) => map.get(runId) };
}

/**
 * The call waits for the caller: capture runs, and either the esl-bridge holds the turn the answer will complete
 * (lib/esl/turns.ts), or no turn is under way (the session waits for a signal, e.g. the next key of a code). A
 * session's view says `listening` as soon as it asked for a turn, while its prompts may still play and the previous
 * capture still runs; what the caller says before the new capture starts is not heard, as on FreeSWITCH.
 */
export async function waitsForCaller(bridge: TurnHolder, call: SimCall, session: WorkflowHandle): Promise<boolean> {
  if (!call.recordingArmed) return false;
  if (bridge.openTurn(call.uuid)) return true;
  const { raw } = await session.describe();
  return !(raw.pendingActivities ?? []).some((a) => a.activityType?.name === 'voiceTurn');
}

/** What the driver asks of the esl-bridge. */
export type TurnHolder = Pick<EslBridge, 'openTurn'>;

export class VoiceSessionDriver implements SessionDriver {
  id = '';
  private call: SimCall | undefined;
  private handle: WorkflowHandle | undefined;
  private readonly runId = crypto.randomUUID();
  private readonly transcripts: SpokenTranscripts | undefined;
  private tmp: string | undefined;

  constructor(private readonly opts: VoiceDriverOptions) {
    this.transcripts = opts.transcripts ?? (opts.openai ? new SpokenTranscripts(opts.openai) : undefined);
  }

  async start(): Promise<void> {
    if (this.opts.globals) {
      if (!this.opts.overrides) throw new Error('voice driver: script globals need the bridge overrides registry (VoiceDriverOptions.overrides)');
      this.opts.overrides.set(this.runId, { globals: this.opts.globals });
    }
    const call = await this.opts.sim.placeCall({
      callerIdNumber: this.opts.caller ?? '0000000000',
      destinationNumber: this.opts.destination,
      variables: { [RUN_ID_VAR]: this.runId },
    });
    this.call = call;
    this.transcripts?.attach(call);
    this.id = call.uuid;
    this.handle = this.opts.client.workflow.getHandle(`voice-${call.uuid}`);
    // The bridge starts the session on CHANNEL_PARK: wait until it answers.
    await this.waitFor('the session to start', async () => (await this.session.query(viewQuery).catch(() => undefined)) !== undefined);
  }

  private get session(): WorkflowHandle {
    if (!this.handle) throw new Error('voice session not started');
    return this.handle;
  }

  private get simCall(): SimCall {
    if (!this.call) throw new Error('voice call not placed');
    return this.call;
  }

  view(): Promise<SessionView> {
    return this.session.query(viewQuery);
  }

  trace(since: number) {
    return this.session.query(traceQuery, since);
  }

  async send(input: CallerInput): Promise<void> {
    const call = this.simCall;
    // A caller speaks when asked: the listening recording (a media bug) hears only what comes after it starts,
    // as on FreeSWITCH. Keys need no wait: they queue on the channel until something reads them.
    if (input.kind === 'speech' || input.kind === 'text' || input.kind === 'audio') {
      await this.waitFor('the session to listen before the caller speaks', async () => {
        const v = await this.view();
        return (v.listening && (await waitsForCaller(this.opts.bridge, call, this.session))) || v.ended !== undefined;
      });
    }
    const before = await this.view();
    switch (input.kind) {
      case 'dtmf':
        await call.press(input.digits);
        return this.tookInputs(before, input.digits.length);
      case 'speech':
      case 'text': {
        if (!this.transcripts) throw new Error('voice driver: a `say` step needs the OpenAI simulator (speech goes through speech-to-text)');
        this.tmp ??= fs.mkdtempSync(path.join(os.tmpdir(), 'ivr-voice-say-'));
        const file = path.join(this.tmp, `${crypto.randomUUID()}.wav`);
        await synthesize('espeak-ng', 'fr', 165, input.text, file);
        this.transcripts.expect(call.uuid, input.text);
        call.speak(fs.readFileSync(file));
        return this.tookInputs(before, 1);
      }
      case 'audio': {
        const bytes = fs.readFileSync(input.ref);
        const comment = safeComment(bytes);
        if (comment && this.transcripts) this.transcripts.expect(call.uuid, comment);
        call.speak(bytes);
        return this.tookInputs(before, 1);
      }
      case 'hangup':
        await call.hangup(input.cause ?? 'NORMAL_CLEARING');
        return;
    }
  }

  /** Resolves once the session applied `n` more inputs (or ended): a phone gives no acknowledgement of its own. */
  private async tookInputs(before: SessionView, n: number): Promise<void> {
    await this.waitFor(`the session to take the caller's input (turn ${before.turn} + ${n})`, async () => {
      const v = await this.view();
      return v.ended !== undefined || v.turn >= before.turn + n;
    });
  }

  private async waitFor(what: string, probe: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + (this.opts.inputTimeoutMs ?? 15_000);
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`voice driver: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    this.opts.overrides?.delete(this.runId);
    if (this.call && !this.call.hungUp) await this.call.hangup('NORMAL_CLEARING');
    if (this.tmp) fs.rmSync(this.tmp, { recursive: true, force: true });
  }
}

function safeComment(bytes: Buffer): string | undefined {
  try {
    return parseWav(bytes).comment;
  } catch {
    return undefined;
  }
}
