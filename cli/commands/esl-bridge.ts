import { runBridgeProcess } from '../../stack/esl-bridge';
import type { CliCommand } from '../command';

export const command: CliCommand = {
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(
        'ivr esl-bridge\n' +
          '  Keeps an event socket to each FreeSWITCH node and starts a session workflow for every call to the IVR number.\n' +
          '  ESL_NODES=\'[{"name":"fs1","host":"10.0.0.5","port":8021,"password":"…"}]\' or ESL_HOST, ESL_PORT, ESL_PASSWORD, ESL_NODE_NAME\n' +
          '  IVR_DESTINATION (default 5000), IVR_START_EVENT (CHANNEL_PARK), TEMPORAL_ADDRESS, MACHINE_FILE\n' +
          '  Each node needs its voice worker: npx tsx workers/voice-worker.ts (task queue voice-<node>).\n',
      );
      return 0;
    }
    try {
      return await runBridgeProcess();
    } catch (err) {
      process.stderr.write(`ivr esl-bridge: ${(err as Error).message}\n`);
      return 2;
    }
  },
};
