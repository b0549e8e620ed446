/** One `ivr` sub-command. `run` returns the process exit code. */
export interface CliCommand {
  name: string;
  /** e.g. `check <files…> [--json]` */
  usage: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}
