import type { CliCommand } from '../command';

export const command: CliCommand = {
  name: 'voice-worker',
  usage: 'voice-worker',
  summary: 'run the voice worker of one FreeSWITCH node (ESL_*, TEMPORAL_ADDRESS, VOICE_* from the environment)',
  async run() {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand: the CLI starts fast
    const { runVoiceWorkerProcess } = require('../../workers/voice-worker') as typeof import('../../workers/voice-worker');
    return runVoiceWorkerProcess();
  },
};
