/** Synthesises French speech to a WAV with espeak-ng (Debian package `espeak-ng`, installed by the project scripts). */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function synthesizeFrench(text: string): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'espeak-'));
  const out = path.join(dir, 'speech.wav');
  try {
    execFileSync('espeak-ng', ['-v', 'fr', '-w', out, text], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new Error('espeak-ng is not installed: run `apt-get install -y espeak-ng` (the project install scripts do it)');
    throw err;
  } 
  try {
    return fs.readFileSync(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
