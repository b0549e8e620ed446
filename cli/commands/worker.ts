import type { CliCommand } from '../command';

export const command: CliCommand = {
  name: 'worker',
  usage: 'worker',
  summary: 'run the session worker (TEMPORAL_ADDRESS, BACKEND_URL from the environment)',
  async run() {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand: the CLI starts fast
    const { runWorkerProcess } = require('../../workers/main') as typeof import('../../workers/main');
    return runWorkerProcess();
  },
};
