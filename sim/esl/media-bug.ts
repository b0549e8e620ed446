/**
 * What `uuid_record` starts: a media bug recording beside whatever the channel does (switch_ivr_record_session_event
 * and its record_callback in src/switch_ivr_async.c, FreeSWITCH 1.10.12). It reads no DTMF; it hears the caller's
 * audio laid on its own time line and, when asked, stops on silence the way record_callback's READ_PING does:
 * 20 ms frames, a frame is silent when its mean absolute sample is under the threshold (is_silence_frame); the
 * silence clock starts at INIT, the initial timeout applies until the first non-silent frame, the final timeout
 * after it.
 */
import { concat, durationMs, silence, type PcmAudio } from './wav';

/** Record-Completion-Cause values record_callback and switch_ivr_record_session_event set. */
export type CompletionCause = 'no-input-timeout' | 'success-silence' | 'success-maxtime' | 'input-too-short' | 'empty-file' | 'uri-failure';

export interface MediaBugSettings {
  /** RECORD_INITIAL_TIMEOUT_MS; 0 = never. */
  initialTimeoutMs: number;
  /** RECORD_FINAL_TIMEOUT_MS; 0 = never. */
  finalTimeoutMs: number;
  /** Silence threshold (mean |sample| per frame); 0 = no silence detection. */
  threshold: number;
  /** RECORD_MIN_SEC: a shorter file is deleted (default 0). */
  minSec: number;
  /** SMBF_READ_STREAM: hears the caller (off with RECORD_WRITE_ONLY). */
  readStream: boolean;
  /** SMBF_WRITE_STREAM: hears what the channel plays to the caller (off with RECORD_READ_ONLY). */
  writeStream: boolean;
}

export interface Segment {
  atMs: number;
  audio: PcmAudio;
}

const FRAME_MS = 20;
const RATE = 8000;
const FRAME_SAMPLES = (RATE * FRAME_MS) / 1000;

/**
 * The recording variables a media bug uses, each from the uuid_record vars first, then the channel
 * (get_recording_var), with switch_ivr_record_session_event's rules: a timeout (>= 0) switches silence detection
 * on with threshold 200; RECORD_SILENCE_THRESHOLD (>= 0) then sets it; negative values are ignored.
 */
export function mediaBugSettings(get: (name: string) => string | undefined): MediaBugSettings {
  const num = (name: string): number | undefined => {
    const v = get(name);
    if (v === undefined) return undefined;
    const n = Number.parseInt(v, 10);
    // atoi: text that is not a number reads as 0.
    return Number.isNaN(n) ? 0 : n;
  };
  const s: MediaBugSettings = {
    initialTimeoutMs: 0,
    finalTimeoutMs: 0,
    threshold: 0,
    minSec: isTrue(get('RECORD_APPEND')) ? 3 : 0,
    readStream: true,
    writeStream: true,
  };
  // Both directions by default; RECORD_WRITE_ONLY then RECORD_READ_ONLY narrow it, in the source's order.
  if (isTrue(get('RECORD_WRITE_ONLY'))) s.readStream = false;
  if (isTrue(get('RECORD_READ_ONLY'))) {
    s.writeStream = false;
    s.readStream = true;
  }
  const minSec = num('RECORD_MIN_SEC');
  if (minSec !== undefined && minSec >= 0) s.minSec = minSec;
  const initial = num('RECORD_INITIAL_TIMEOUT_MS');
  if (initial !== undefined && initial >= 0) {
    s.initialTimeoutMs = initial;
    s.threshold = 200;
  }
  const final = num('RECORD_FINAL_TIMEOUT_MS');
  if (final !== undefined && final >= 0) {
    s.finalTimeoutMs = final;
    s.threshold = 200;
  }
  const thresh = num('RECORD_SILENCE_THRESHOLD');
  if (thresh !== undefined && thresh >= 0) s.threshold = thresh;
  return s;
}

/** switch_true. */
export function isTrue(v: string | undefined): boolean {
  return v !== undefined && /^(yes|on|true|t|enabled|active|allow|\d*[1-9]\d*)$/i.test(v.trim());
}

/** Silence detection state (record_helper's silence_time, silence_timeout_ms, speech_detected). */
interface DetectorState {
  frame: number;
  silenceAt: number | null;
  timeoutMs: number;
  speech: boolean;
}

export class MediaBugRecording {
  readonly segments: Segment[] = [];
  /** Set when silence detection stopped the recording (the first cause set wins, as set_completion_cause). */
  cause: CompletionCause | undefined;
  private state: DetectorState;
  private readonly masks: Array<{ from: number; to: number }> = [];
  private maskFrom: number | undefined;
  /** Spans when the channel played audible media to the caller (to undefined: still playing). */
  private readonly played: Array<{ from: number; to: number | undefined }> = [];

  constructor(
    readonly file: string,
    readonly limitMs: number,
    readonly vars: Array<[string, string]>,
    readonly settings: MediaBugSettings,
  ) {
    // INIT: silence_time = now, the initial timeout applies, no speech yet.
    this.state = { frame: 0, silenceAt: 0, timeoutMs: settings.initialTimeoutMs, speech: false };
  }

  get speechDetected(): boolean {
    return this.state.speech;
  }

  /** The caller's audio heard at `nowMs` on this recording's time line, after anything still being said. */
  hear(audio: PcmAudio, nowMs: number): void {
    this.advance(nowMs);
    this.segments.push({ atMs: Math.max(nowMs, this.speechEnd()), audio });
  }

  /** The channel starts (true) or stops playing audible media to the caller at `nowMs`. */
  playing(on: boolean, nowMs: number): void {
    this.advance(nowMs);
    const open = this.played.find((p) => p.to === undefined);
    if (on && !open) this.played.push({ from: nowMs, to: undefined });
    if (!on && open) open.to = nowMs;
  }

  /** SMBF_MASK: from now on (or until unmask) the file gets silence instead of the audio. */
  mask(on: boolean, nowMs: number): void {
    if (on && this.maskFrom === undefined) this.maskFrom = nowMs;
    if (!on && this.maskFrom !== undefined) {
      this.masks.push({ from: this.maskFrom, to: nowMs });
      this.maskFrom = undefined;
    }
  }

  /**
   * Runs the frames read up to `toMs`; returns the time silence detection stopped the recording at (and sets
   * `cause`), or undefined.
   */
  advance(toMs: number): number | undefined {
    return this.run(this.state, toMs);
  }

  /** When silence detection will stop the recording if the caller says nothing more; undefined = never. */
  predictStop(): number | undefined {
    const s = this.settings;
    if (!s.threshold || (!s.initialTimeoutMs && !s.finalTimeoutMs)) return undefined;
    const probe: DetectorState = { ...this.state };
    const horizon = Math.max(this.speechEnd(), probe.frame * FRAME_MS) + Math.max(s.initialTimeoutMs, s.finalTimeoutMs) + 2 * FRAME_MS;
    const saved = this.cause;
    const at = this.run(probe, horizon);
    this.cause = saved;
    return at;
  }

  /** The WAV content up to `totalMs`: speech on its time line, silence elsewhere, masked spans silent. */
  render(totalMs: number): PcmAudio {
    const masks = this.maskFrom !== undefined ? [...this.masks, { from: this.maskFrom, to: totalMs }] : this.masks;
    const audio = timeline(this.segments, totalMs);
    for (const m of masks) audio.samples.fill(0, Math.round(m.from * 8), Math.round(Math.min(m.to, totalMs) * 8));
    return audio;
  }

  private speechEnd(): number {
    return this.segments.reduce((end, g) => Math.max(end, g.atMs + durationMs(g.audio)), 0);
  }

  private run(st: DetectorState, toMs: number): number | undefined {
    const s = this.settings;
    while ((st.frame + 1) * FRAME_MS <= toMs && (st.frame + 1) * FRAME_MS <= this.limitMs) {
      const t = (st.frame + 1) * FRAME_MS;
      const silent = s.threshold > 0 && this.frameEnergy(st.frame) < s.threshold;
      st.frame++;
      if (!s.threshold) {
        // "No silence detection configured; assuming start of speech".
        st.speech = true;
        continue;
      }
      if (silent) {
        if (st.silenceAt === null) st.silenceAt = t;
        else if (st.timeoutMs > 0 && t - st.silenceAt >= st.timeoutMs) {
          this.cause ??= st.speech ? 'success-silence' : 'no-input-timeout';
          return t;
        }
      } else if (st.silenceAt !== null) {
        st.speech = true;
        st.silenceAt = null;
        st.timeoutMs = s.finalTimeoutMs;
      }
    }
    return undefined;
  }

  /**
   * Mean absolute sample of one 20 ms frame of what the bug reads (is_silence_frame's score at 8 kHz, divisor 1):
   * the caller's audio, mixed with the channel's prompts when the write stream is recorded. A prompt is taken as
   * loud (its samples are not simulated).
   */
  private frameEnergy(frame: number): number {
    const from = frame * FRAME_SAMPLES;
    const to = from + FRAME_SAMPLES;
    if (this.settings.writeStream) {
      const t0 = frame * FRAME_MS;
      const t1 = t0 + FRAME_MS;
      if (this.played.some((p) => p.from < t1 && (p.to === undefined || p.to > t0))) return Number.POSITIVE_INFINITY;
    }
    if (!this.settings.readStream) return 0;
    let energy = 0;
    for (const g of this.segments) {
      const gFrom = Math.round(g.atMs * 8);
      const gTo = gFrom + g.audio.samples.length;
      if (gTo <= from || gFrom >= to) continue;
      for (let n = Math.max(from, gFrom); n < Math.min(to, gTo); n++) energy += Math.abs(g.audio.samples[n - gFrom] ?? 0);
    }
    return energy / FRAME_SAMPLES;
  }
}

/** Speech segments laid on a time line of `totalMs`, silence elsewhere, at 8 kHz. */
export function timeline(segments: Segment[], totalMs: number): PcmAudio {
  const parts: PcmAudio[] = [];
  let t = 0;
  for (const g of [...segments].sort((a, b) => a.atMs - b.atMs)) {
    if (g.atMs >= totalMs) break;
    if (g.atMs > t) parts.push(silence(RATE, g.atMs - t));
    const keepMs = Math.min(durationMs(g.audio), totalMs - g.atMs);
    parts.push({ sampleRate: RATE, samples: g.audio.samples.subarray(0, Math.round(keepMs * 8)) });
    t = g.atMs + keepMs;
  }
  if (totalMs > t) parts.push(silence(RATE, totalMs - t));
  return concat(RATE, parts);
}
