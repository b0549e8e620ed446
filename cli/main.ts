/**
 * `ivr` entry point. Each sub-command is one file in cli/commands/ exporting `command` (see ./command.ts),
 * so a new command is a new file and this dispatcher never changes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CliCommand } from './command';

function loadCommands(): Map<string, CliCommand> {
  const dir = path.join(__dirname, 'commands');
  const commands = new Map<string, CliCommand>();
  for (const file of fs.readdirSync(dir).sort()) {
    if (!/\.ts$/.test(file) || file.endsWith('.d.ts')) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(dir, file)) as { command?: CliCommand };
    if (mod.command) commands.set(mod.command.name, mod.command);
  }
  return commands;
}

function usage(commands: Map<string, CliCommand>): string {
  const rows = [...commands.values()].map((c) => `  ivr ${c.usage.padEnd(54)} ${c.summary}`);
  return `Usage:\n${rows.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const commands = loadCommands();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage(commands));
    return name ? 0 : 2;
  }
  const command = commands.get(name);
  if (!command) {
    process.stderr.write(`ivr: unknown command '${name}'.\n${usage(commands)}`);
    return 2;
  }
  return command.run(rest);
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
