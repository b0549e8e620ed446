/**
 * Histories of the main journeys, recorded with `ivr simulate … --save-histories test/histories/<machine>` (the
 * voice channel's in rdv-ivr-voice/, with `--channel voice`, and again in rdv-ivr-voice-awaiting-turns/ once voice
 * turns waited for the caller; voice-shell and voice-shell-before-voice-turn by test/session/voice-shell.test.ts),
 * replayed against the current workflow code. A change to the interpreter that
 * would break calls in flight fails here; when a change is intended, version it with `patched()` (or worker
 * versioning), then record the histories again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readHistoryFile, replayHistory } from '../../workers/replay';

const ROOT = path.join(__dirname, '..', 'histories');
const files = fs
  .readdirSync(ROOT, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json'))
  .sort();

test('the stored histories are there (both machines)', () => {
  expect(files.filter((f) => f.startsWith('rdv-ivr')).length).toBeGreaterThanOrEqual(10);
  expect(files.filter((f) => f.startsWith('voice-crm')).length).toBeGreaterThanOrEqual(3);
});

test.each(files)('%s replays without divergence', async (file) => {
  const outcome = await replayHistory(readHistoryFile(path.join(ROOT, file)), file);
  expect(outcome).toEqual({ workflowId: file, ok: true });
}, 60_000);
