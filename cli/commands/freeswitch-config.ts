/**
 * `ivr freeswitch-config --out DIR [--log LOGDIR] [--db DBDIR]`: writes a complete FreeSWITCH configuration folder
 * for the care IVR from the environment (lib/freeswitch-config), then prints the command that runs FreeSWITCH on it.
 * Exit 0 written, 1 refused (bad environment, default password, a folder it does not own), 2 bad usage.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../lib/env';
import { freeswitchCommand, freeswitchSettingsFromEnv, modulesFor, writeFreeswitchConfig } from '../../lib/freeswitch-config';
import type { CliCommand } from '../command';

export const command: CliCommand = {
  async run(argv) {
    let values: { out?: string; log?: string; db?: string };
    try {
      ({ values } = parseArgs({ args: argv, options: { out: { type: 'string' }, log: { type: 'string' }, db: { type: 'string' } }, strict: true }));
    } catch (err) {
      process.stderr.write(`ivr freeswitch-config: ${(err as Error).message}\n`);
      return 2;
    }
    if (!values.out) {
      process.stderr.write('ivr freeswitch-config: --out <dir> is required: the folder to write (new, empty, or written by this command before)\n');
      return 2;
    }
    try {
      const settings = freeswitchSettingsFromEnv(process.env);
      const out = path.resolve(values.out);
      const files = writeFreeswitchConfig(out, settings);
      // FreeSWITCH needs its log folder before it reads anything (it writes the preprocessed XML there).
      for (const dir of [values.log, values.db]) if (dir) fs.mkdirSync(dir, { recursive: true });
      const logDir = values.log ? path.resolve(values.log) : 'LOGDIR';
      const dbDir = values.db ? path.resolve(values.db) : 'DBDIR';
      const say = (s: string) => process.stdout.write(`${s}\n`);
      say(`wrote ${files.length} files to ${out} (freeswitch.xml holds the event-socket password, mode 0600)`);
      say(`  SIP ${settings.sipIp}:${settings.sipPort}, RTP ${settings.rtpIp} ports ${settings.rtpStartPort}-${settings.rtpEndPort}, IVR on ${settings.destinations.join(', ')}`);
      say(`  event socket ${settings.eslListenIp}:${settings.eslPort}, open to ${settings.eslAllowedCidrs.join(', ')}`);
      say(`  modules: ${modulesFor(settings).join(' ')}`);
      say('run it with:');
      say(`  ${freeswitchCommand(out, logDir, dbDir).join(' ')}`);
      say(`  (add -nf to stay in the foreground, as a container or a systemd Type=simple unit needs; logs in ${logDir}/freeswitch.log)`);
      return 0;
    } catch (err) {
      if (err instanceof ConfigError) {
        process.stderr.write(`ivr freeswitch-config: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  },
};
