// A trivial workflow for the foundation's smoke test: one activity, one durable timer, one signal.
import { condition, defineSignal, proxyActivities, setHandler, sleep } from '@temporalio/workflow';

const { greet } = proxyActivities<{ greet(name: string): Promise<string> }>({ startToCloseTimeout: '10 seconds' });

export const nameSignal = defineSignal<[string]>('name');

export async function smokeWorkflow(): Promise<string> {
  let name: string | undefined;
  setHandler(nameSignal, (n) => {
    name = n;
  });
  await condition(() => name !== undefined);
  await sleep('1 day'); // skipped instantly on the time-skipping server; the dev-server test signals before it
  return greet(name ?? '');
}

export async function quickWorkflow(name: string): Promise<string> {
  return greet(name);
}
