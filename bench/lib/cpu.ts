/**
 * CPU time of the processes in a run, from /proc (Linux): a figure the machine's other load does not change,
 * unlike latency. Divided by the turns played it says how many turns per second two cores could carry.
 */
import fs from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ): 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** User + system CPU time of a process and all its threads, in ms; NaN when it cannot be read. */
export function processCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** The pid of a `temporal server start-dev` listening on this port, if one runs on this machine. */
export function findDevServerPid(address: string): number | undefined {
  const port = address.split(':').pop();
  if (!port) return undefined;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      const at = args.indexOf('--port');
      if (args.includes('start-dev') && at !== -1 && args[at + 1] === port) return Number(entry);
    } catch {
      /* the process went away */
    }
  }
  return undefined;
}

/**
 * The Temporal server processes whose CPU a run counts: those listed in TEMPORAL_SERVER_PIDS (comma-separated, as
 * scripts/cluster/start.sh prints them for a cluster of several processes), else the dev server on this port.
 */
export function serverPids(address: string, env: NodeJS.ProcessEnv = process.env): number[] {
  const listed = (env.TEMPORAL_SERVER_PIDS ?? '')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  if (listed.length > 0) return listed;
  const dev = findDevServerPid(address);
  return dev ? [dev] : [];
}

/** Summed CPU ms of several processes; NaN when there are none or one cannot be read. */
export function processesCpuMs(pids: readonly number[]): number {
  if (pids.length === 0) return Number.NaN;
  return pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
}
