import type { CliCommand } from '../command';

export const command: CliCommand = {
  name: 'worker',
  usage: 'worker',
  summary: 'run the session worker (TEMPORAL_ADDRESS, BACKEND_URL from the environment)',
  async run() {
    const { runWorkerProcess } = await import('../../workers/main');
    return runWorkerProcess();
  },
};
