/**
 * Entry point of one supervised part (see supervisor.ts): `node --require tsx/cjs stack/part-main.ts <part>`.
 * Tells the supervisor `ready` or `failed` over IPC, and exits:
 *  - when the IPC channel closes (the supervisor is gone, even by SIGKILL): stops the part, then kills its own
 *    process group so that nothing it started outlives it (Node has no PR_SET_PDEATHSIG; this is the watchdog);
 *  - on SIGTERM/SIGINT (the supervisor stopping the stack): stops the part cleanly;
 *  - when the part ends by itself (its dev server died, its worker stopped): exit 1, and the supervisor restarts it.
 */
import { isPartName, loadPart, PART_NAMES, type RunningPartHandle } from './parts';
import type { PartMessage } from './supervisor';

const STOP_GRACE_MS = 8_000;

function send(msg: PartMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

function killOwnGroup(): never {
  try {
    process.kill(-process.pid, 'SIGKILL');
  } catch {
    /* not a group leader (run by hand): only this process is left to end */
  }
  process.exit(1);
}

async function main(): Promise<void> {
  const name = process.argv[2] ?? '';
  if (!isPartName(name)) {
    process.stderr.write(`part-main: unknown part '${name}' (known: ${PART_NAMES.join(', ')})\n`);
    process.exit(2);
  }
  const runner = loadPart(name);
  if (!process.send) {
    process.stderr.write('part-main: run by the supervisor only (it needs the IPC channel to know when to stop)\n');
    process.exit(2);
  }

  let handle: RunningPartHandle | undefined;
  let stopping = false;
  const shutdown = (reason: 'signal' | 'supervisor gone' | 'ended', code: number) => {
    if (stopping) return;
    stopping = true;
    // A part that hangs while stopping must not stay behind either.
    setTimeout(killOwnGroup, STOP_GRACE_MS);
    void (handle ? handle.stop() : Promise.resolve())
      .catch(() => undefined)
      .then(() => {
        // Without a handle the part was still starting: what it began (a dev server) must go with it.
        if (reason === 'supervisor gone' || !handle) killOwnGroup();
        process.exit(code);
      });
  };
  process.on('disconnect', () => shutdown('supervisor gone', 1));
  process.on('SIGTERM', () => shutdown('signal', 0));
  process.on('SIGINT', () => shutdown('signal', 0));
  if (!process.connected) shutdown('supervisor gone', 1);

  try {
    handle = await runner(JSON.parse(process.env.IVR_PART_CONFIG ?? '{}'), process.env);
  } catch (err) {
    await send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  }
  if (stopping) {
    // Asked to stop while starting: stop what just started.
    await handle.stop().catch(() => undefined);
    process.exit(0);
  }
  await send({ type: 'ready', info: handle.info });
  handle.done?.then(
    () => {
      if (!stopping) {
        process.stderr.write(`part ${name}: ended by itself\n`);
        shutdown('ended', 1);
      }
    },
    (err: unknown) => {
      if (!stopping) {
        process.stderr.write(`part ${name}: failed: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
        shutdown('ended', 1);
      }
    },
  );
}

void main();
