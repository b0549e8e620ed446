/**
 * Ports of the local stack: a port already taken is a clear error naming the port, its part and what to do,
 * never a silent attach to whatever holds it (an orphaned Temporal dev server answered like a fresh one).
 */
import fs from 'node:fs';
import net from 'node:net';

/** The loopback address every part binds unless HOST opens it. */
export const LOOPBACK = '127.0.0.1';

export class PortInUseError extends Error {
  override name = 'PortInUseError';
  constructor(
    readonly port: number,
    readonly host: string,
    readonly what: string,
    /** The environment variable that moves this part to another port, when there is one. */
    readonly variable?: string,
  ) {
    super(
      `port ${port} on ${host} (${what}) is already in use: another \`npm start\`, an orphaned process of an earlier ` +
        `run, or another program holds it. Find it with \`ss -ltnp 'sport = :${port}'\` (or \`lsof -i :${port}\`) ` +
        `and stop it` +
        (variable ? `, or choose another port with ${variable}=<port>.` : '.'),
    );
  }
}

/** The error `listen` gave, turned into a PortInUseError when the port was taken. */
export function explainListenError(err: unknown, port: number, host: string, what: string, variable?: string): Error {
  if (err && typeof err === 'object' && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    return new PortInUseError(port, host, what, variable);
  }
  return err instanceof Error ? err : new Error(String(err));
}

/** Resolves when `port` can be bound on `host` (the probe is closed at once); rejects with PortInUseError otherwise. */
export function assertPortFree(port: number, host: string, what: string, variable?: string): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', (err) => reject(explainListenError(err, port, host, what, variable)));
    // exclusive: a probe must not share the port with a cluster primary holding it.
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/**
 * A port nobody listens on at the moment, for a process started next to bind. It is taken below the kernel's
 * ephemeral range: a port the kernel hands out for listen(0) is also one it hands out to outgoing connections, and
 * on a busy machine one of those can take it between this probe and the child's bind.
 */
export async function pickFreePort(host = LOOPBACK): Promise<number> {
  const [ephemeralLow] = ephemeralRange();
  const low = 10_000;
  const high = Math.max(low + 1000, ephemeralLow - 1);
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await isFree(port, host)) return port;
  }
  return kernelPort(host);
}

/** The kernel's ephemeral port range (Linux); the common default elsewhere. */
function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo && hi && lo > 1024) return [lo, hi];
  } catch {
    /* not Linux */
  }
  return [32768, 60999];
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

function kernelPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen({ port: 0, host, exclusive: true }, () => {
      const addr = probe.address();
      probe.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no free port'))));
    });
  });
}
