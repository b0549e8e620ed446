import { runVoiceWorkerProcess } from '../../workers/voice-worker';
import type { CliCommand } from '../command';

export const command: CliCommand = {
  async run() {
    return runVoiceWorkerProcess();
  },
};
