/**
 * The `ivr` command table (cli/command.ts) against the folder cli/commands/, and lazy loading as users run the CLI:
 * `ivr --help` loads no command module, and running one command loads none of the others.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { COMMANDS, commandOf } from '../../cli/command';

const root = path.join(__dirname, '..', '..');
const commandsDir = path.join(root, 'cli', 'commands');
const MARK = '@@loaded-commands ';

/** The command files in cli/commands/, without `.ts`. */
function commandFiles(): string[] {
  return fs
    .readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

/**
 * Runs cli/main.ts as bin/ivr.js does (tsx's CommonJS hook), then prints on a last line which modules of
 * cli/commands/ were loaded when the process was about to exit.
 */
function ivr(...args: string[]): { code: number | null; stdout: string; stderr: string; loaded: string[] } {
  const probe = [
    "require('tsx/cjs');",
    "const path = require('node:path');",
    `const dir = ${JSON.stringify(commandsDir + path.sep)};`,
    "process.once('beforeExit', () => {",
    '  const loaded = Object.keys(require.cache).filter((f) => f.startsWith(dir)).map((f) => path.basename(f, ".ts")).sort();',
    `  process.stdout.write('\\n${MARK}' + JSON.stringify(loaded) + '\\n');`,
    '});',
    `process.argv = [process.argv[0], 'ivr', ...${JSON.stringify(args)}];`,
    "require('./cli/main.ts');",
  ].join('\n');
  const r = spawnSync(process.execPath, ['-e', probe], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  const at = r.stdout.lastIndexOf(MARK);
  if (at < 0) throw new Error(`the probe printed no list of loaded modules (exit ${r.status}); stderr:\n${r.stderr}`);
  const loaded = JSON.parse(r.stdout.slice(at + MARK.length).trim()) as string[];
  return { code: r.status, stdout: r.stdout.slice(0, at), stderr: r.stderr, loaded };
}

describe('the command table', () => {
  it('has one row per file of cli/commands/ and no row without its file', () => {
    expect(COMMANDS.map((c) => c.file).sort()).toEqual(commandFiles());
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
  });

  it('refuses a module that does not export a command with run(argv), naming its file', () => {
    expect(() => commandOf({}, 'nope')).toThrow('cli/commands/nope.ts does not export `command`');
    expect(() => commandOf({ command: { run: 'x' } }, 'nope')).toThrow(/run\(argv\)/);
    expect(() => commandOf(undefined, 'nope')).toThrow(/nope\.ts/);
    const command = { run: async () => 0 };
    expect(commandOf({ command }, 'ok')).toBe(command);
  });

  it('no command module casts a require() any more', () => {
    const casts = commandFiles().filter((f) => /as typeof import\(/.test(fs.readFileSync(path.join(commandsDir, `${f}.ts`), 'utf8')));
    expect(casts).toEqual([]);
  });
});

describe('commands whose output is the conversation', () => {
  it.each([
    ['cli/commands/call.ts', 'cli/warn-logs.ts'],
    ['bench/turns.ts', 'bench/lib/warn-logs.ts'],
  ])('%s sets LOG_LEVEL before the product makes its loggers (lib/log.ts)', (file, first) => {
    // Module cache keys are inserted as modules start loading: their order is the load order.
    const probe = [
      "require('tsx/cjs');",
      'delete process.env.LOG_LEVEL;',
      `require('./${file}');`,
      'const order = Object.keys(require.cache).map((f) => require("node:path").relative(process.cwd(), f));',
      `process.stdout.write(JSON.stringify({ first: order.indexOf(${JSON.stringify(first)}), log: order.indexOf('lib/log.ts'), level: process.env.LOG_LEVEL }));`,
    ].join('\n');
    const r = spawnSync(process.execPath, ['-e', probe], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    const seen = JSON.parse(r.stdout) as { first: number; log: number; level: string };
    expect(seen.level).toBe('warn');
    expect(seen.first).toBeGreaterThanOrEqual(0);
    expect(seen.log).toBeGreaterThan(seen.first);
  });
});

describe('ivr loads a command only when it runs it', () => {
  it('--help lists every command of cli/commands/ and loads none of them', () => {
    const r = ivr('--help');
    expect(r.code).toBe(0);
    const listed = r.stdout
      .split('\n')
      .map((line) => /^ {2}ivr (\S+)/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined);
    const byFile = new Map(COMMANDS.map((c) => [c.name, c.file]));
    expect(listed.map((name) => byFile.get(name)).sort()).toEqual(commandFiles());
    expect(r.loaded).toEqual([]);
  });

  it('an unknown command loads none and shows the list', () => {
    const r = ivr('no-such-command');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("ivr: unknown command 'no-such-command'.");
    expect(r.stderr).toContain('  ivr check ');
    expect(r.loaded).toEqual([]);
  });

  it('ivr check loads cli/commands/check.ts and no other command', () => {
    const r = ivr('check', 'machines/rdv-ivr.yaml');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('machines/rdv-ivr.yaml: 0 error(s)');
    expect(r.loaded).toEqual(['check']);
  });

  it('ivr caller-hash loads only its own module', () => {
    const r = ivr('caller-hash', '--exact', '12345');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('query: IvrCallerHash = "');
    expect(r.loaded).toEqual(['caller-hash']);
  });
});
