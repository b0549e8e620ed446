/**
 * `ivr` entry point. The commands are the table of ./command.ts: `--help` prints it without loading any command,
 * and a command's module (with what it imports) is loaded only when that command runs.
 */
import { COMMANDS, type CommandEntry } from './command';

function usage(commands: readonly CommandEntry[]): string {
  const rows = commands.map((c) => `  ivr ${c.usage.padEnd(54)} ${c.summary}`);
  return `Usage:\n${rows.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage(COMMANDS));
    return name ? 0 : 2;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`ivr: unknown command '${name}'.\n${usage(COMMANDS)}`);
    return 2;
  }
  return entry.load().run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`ivr: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
