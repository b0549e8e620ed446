import { runWorkerProcess } from '../../workers/main';
import type { CliCommand } from '../command';

export const command: CliCommand = {
  async run() {
    return runWorkerProcess();
  },
};
