/**
 * Ports of the local stack: a port already taken is a clear error naming the port, its part and what to do,
 * never a silent attach to whatever holds it (an orphaned Temporal dev server answered like a fresh one).
 */
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

/** A port nobody listens on at the moment (picked by the kernel on loopback). */
export function pickFreePort(host = LOOPBACK): Promise<number> {
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
