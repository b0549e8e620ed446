/**
 * The `ivr` sub-commands: one row per command, with what `ivr --help` prints, and `load`, which requires the
 * command's module (cli/commands/<file>.ts) only when that command runs. A command module imports its dependencies
 * statically at its top and exports `command` (see CliCommand); a new command is a new file and a new row here.
 */

/** What a module of cli/commands/ exports as `command`. `run` returns the process exit code. */
export interface CliCommand {
  run(argv: string[]): Promise<number>;
}

export interface CommandEntry {
  name: string;
  /** e.g. `check <files…> [--json]` */
  usage: string;
  summary: string;
  /** The module file in cli/commands/, without `.ts`. */
  file: string;
  load(): CliCommand;
}

function isCommandModule(mod: unknown): mod is { command: CliCommand } {
  if (typeof mod !== 'object' || mod === null || !('command' in mod)) return false;
  const { command } = mod;
  return typeof command === 'object' && command !== null && 'run' in command && typeof command.run === 'function';
}

/** The `command` a loaded module of cli/commands/<file>.ts exports, or an error saying what the module lacks. */
export function commandOf(mod: unknown, file: string): CliCommand {
  if (!isCommandModule(mod)) {
    throw new Error(`cli/commands/${file}.ts does not export \`command\` with a run(argv) method; export const command: CliCommand = { async run(argv) { … } }`);
  }
  return mod.command;
}

function requireCommand(file: string): CliCommand {
  // require(), not import(): bin/ivr.js runs the CLI through tsx's CommonJS hook, which compiles the .ts files that
  // require() loads but not those of a native import(). The name comes from the table below, never from argv.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the one place a command module is loaded, when it runs
  return commandOf(require(`./commands/${file}`), file);
}

function entry(name: string, usage: string, summary: string, file = name): CommandEntry {
  return { name, usage, summary, file, load: () => requireCommand(file) };
}

export const COMMANDS: readonly CommandEntry[] = [
  entry('api', 'api', 'run the backend API (PORT, ODOO_*, BREVO_*, DATABASE_URL, TEMPORAL_ADDRESS from the environment)'),
  entry(
    'call',
    'call [--machine FILE] [--caller +33612345678] [--temporal HOST:PORT] [--task-queue Q] [--brevo URL] [--fast] [--mute]',
    'place a simulated phone call on the running local stack: prompts printed and spoken, 🎙 when it listens, SMS codes shown (--brevo), q hangs up',
  ),
  entry('caller-hash', 'caller-hash <number>… [--exact] [--region FR] [--json]', "print a caller's IvrCallerHash (keyed by PII_HASH_KEY) and the UI query that finds their sessions"),
  entry('check', 'check <files…> [--json]', 'check machine files (schema, references, graph, data flow)'),
  entry('codec-server', 'codec-server [--port 8888] [--host 127.0.0.1] [--ui-origin <url>]… | --new-key <id>', 'decrypt Temporal payloads for the Web UI (or print a fresh key entry)'),
  entry(
    'esl-bridge',
    'esl-bridge',
    'FreeSWITCH events → session workflows (ESL_NODES or ESL_HOST/ESL_PORT/ESL_PASSWORD, IVR_DESTINATION, TEMPORAL_ADDRESS, MACHINE_FILE)',
  ),
  entry(
    'freeswitch-config',
    'freeswitch-config --out <dir> [--log <dir>] [--db <dir>]',
    'write a complete FreeSWITCH configuration for the IVR from the environment (ESL_*, IVR_DESTINATION, SIP_*, RTP_IP)',
  ),
  entry('graph', 'graph <file> --format mermaid|dot [--out file]', 'draw a machine (states grouped by screen, labelled edges)'),
  entry('odoo-setup', 'odoo-setup [--dry-run] [--json]', 'create the consent fields (x_consent_*) on res.partner and turn lead enrichment off in the Odoo named by ODOO_* (idempotent)'),
  entry(
    'operators',
    'operators add <name> | list [--json] | revoke <name>',
    'create, list or revoke operator tokens for the /crm routes (on the API store: DATABASE_URL or API_STORE_DIR)',
  ),
  entry('replay', 'replay (--workflow-id <id>… | --history <file.json>…) [--json]', 'replay session histories against the current code'),
  entry('sim', 'sim <odoo|brevo|esl|openai> [--port <p>] …', 'run a simulator of a peer standalone'),
  entry(
    'simulate',
    'simulate <machine.yaml> (--script <file> | --scripts <dir> [--coverage]) [--channel voice|web] [--json] [--save-histories <dir>]',
    'run conversation scripts against real sessions (exit 0 pass, 1 fail, 2 invalid)',
  ),
  entry(
    'stats',
    'stats [--machine NAME] [--since-hours 24] [--limit 200] [--json]',
    'per-state figures of recent sessions (visits, no-input / no-match rates, p50/p95 time spent, hang-ups) from TEMPORAL_ADDRESS',
  ),
  entry('start', 'start [--check-only] [--stdout] [--data-dir .data]', 'check the machines, draw them, then run the local stack (Temporal + UI, API, worker, simulators)'),
  entry('stt-server', 'stt-server [--port 8300] [--host 127.0.0.1] [--model-dir DIR] [--decode-timeout 10] [--install]', 'a local OpenAI-compatible speech-to-text server (faster-whisper; installs into .cache/ when missing)'),
  entry('voice-worker', 'voice-worker', 'run the voice worker of one FreeSWITCH node (ESL_*, TEMPORAL_ADDRESS, VOICE_* from the environment)'),
  entry('worker', 'worker', 'run the session worker (TEMPORAL_ADDRESS, BACKEND_URL from the environment)'),
];

/** The usage line of a command (without `ivr `), for the messages a command prints about its own arguments. */
export function usageOf(name: string): string {
  const found = COMMANDS.find((c) => c.name === name);
  if (!found) throw new Error(`no command '${name}' in the table of cli/command.ts`);
  return found.usage;
}
