import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, piiHash } from '../lib/log';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, destination };
}

test('createLogger censors phones, emails, codes and transcripts at any depth', () => {
  const { lines, destination } = capture();
  const log = createLogger('t', { destination });
  log.info(
    { phone_e164: '+33612345678', email: 'lina@exemple.com', otp: '654321', event: { transcript: 'je m appelle Lina' }, state: 'ivr.entry' },
    'turn',
  );
  const text = lines.join('');
  expect(text).toContain('"msg":"turn"');
  expect(text).toContain('"state":"ivr.entry"');
  expect(text).not.toMatch(/33612345678|lina@exemple|654321|appelle/);
  expect(text).toContain('[redacted]');
});

test('piiHash is stable, keyed and does not reveal the value', () => {
  expect(piiHash('+33612345678')).toBe(piiHash(' +33612345678 '));
  expect(piiHash('+33612345678')).toMatch(/^[0-9a-f]{16}$/);
  expect(piiHash('+33612345678')).not.toBe(piiHash('+33612345679'));
  const before = process.env.PII_HASH_KEY;
  process.env.PII_HASH_KEY = 'other-key';
  const other = piiHash('+33612345678');
  if (before === undefined) delete process.env.PII_HASH_KEY;
  else process.env.PII_HASH_KEY = before;
  expect(other).not.toBe(piiHash('+33612345678'));
});

test('LOG_DESTINATION=stderr sends the lines to standard error and leaves standard output to the command', () => {
  const script = "require('./lib/log').createLogger('t').warn({ state: 'ivr.entry' }, 'to stderr'); process.stdout.write('RESULT\\n');";
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: path.join(__dirname, '..'), env: { ...process.env, ...env }, encoding: 'utf8' });
  const toStderr = run({ LOG_DESTINATION: 'stderr' });
  expect(toStderr.stdout).toBe('RESULT\n');
  expect(toStderr.stderr).toContain('"msg":"to stderr"');
  const toStdout = run({ LOG_DESTINATION: '' });
  expect(toStdout.stdout).toContain('"msg":"to stderr"');
});
