/**
 * French prompts as audio. The default is synthesis here with espeak-ng into a WAV cache keyed by the text's hash,
 * then FreeSWITCH `playback`: a prompt is synthesized once per node (the machine's prompts are mostly fixed text),
 * playback reports PLAYBACK_START/STOP with break status for barge-in, and no shell runs inside FreeSWITCH.
 * `speak` through mod_tts_commandline stays available (VOICE_TTS=speak) for nodes whose disk the worker cannot write.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface PromptMedia {
  app: 'playback' | 'speak';
  arg: string;
}

export interface PromptRenderer {
  render(text: string): Promise<PromptMedia>;
}

export class TtsError extends Error {
  override name = 'TtsError';
}

/** Text as one line without the characters FreeSWITCH application arguments give meaning to. */
export function cleanPromptText(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').replace(/\|/g, ',').replace(/\s{2,}/g, ' ').trim();
}

export function synthesize(bin: string, voice: string, rate: number, text: string, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // Text as an argument vector entry, never through a shell.
    execFile(bin, ['-v', voice, '-s', String(rate), '-w', out, '--', text], { timeout: 20_000 }, (err, _stdout, stderr) => {
      if (err) {
        const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
        reject(new TtsError(missing ? `${bin} is not installed (apt-get install espeak-ng) or ESPEAK_BIN is wrong` : `${bin} failed: ${String(stderr).trim() || err.message}`));
      } else resolve();
    });
  });
}

export class EspeakWavCache implements PromptRenderer {
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(private readonly opts: { dir: string; voice: string; rate: number; bin: string }) {}

  /** Path of the cached WAV for this text (synthesized on first use). */
  async file(text: string): Promise<string> {
    const clean = cleanPromptText(text);
    const key = crypto.createHash('sha256').update(`${this.opts.voice}\u0000${this.opts.rate}\u0000${clean}`).digest('hex').slice(0, 40);
    const file = path.join(this.opts.dir, `${key}.wav`);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    if (fs.existsSync(file)) return file;
    const job = (async () => {
      await fs.promises.mkdir(this.opts.dir, { recursive: true });
      const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
      await synthesize(this.opts.bin, this.opts.voice, this.opts.rate, clean || '.', tmp);
      // Atomic: FreeSWITCH never sees a half-written file.
      await fs.promises.rename(tmp, file);
      return file;
    })().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, job);
    return job;
  }

  async render(text: string): Promise<PromptMedia> {
    return { app: 'playback', arg: await this.file(text) };
  }
}

/** mod_tts_commandline (freeswitch/tts_commandline.conf.xml runs espeak-ng); the voice is the module's. */
export class SpeakRenderer implements PromptRenderer {
  constructor(private readonly voice = 'fr') {}
  async render(text: string): Promise<PromptMedia> {
    return { app: 'speak', arg: `tts_commandline|${this.voice}|${cleanPromptText(text)}` };
  }
}
