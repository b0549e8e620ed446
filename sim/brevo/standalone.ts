/** `ivr sim brevo --port <p> [--api-key k] [--host h] [--sms-credits n]`: the Brevo simulator as a process. */
import { startBrevoSimulator, type BrevoSimulatorOptions } from './index';

const USAGE = 'Usage: ivr sim brevo [--port <p>] [--api-key <k>] [--host <h>] [--sms-credits <n>]';

export async function runStandalone(argv: string[]): Promise<number> {
  // Loopback unless --host or HOST opens it.
  const opts: BrevoSimulatorOptions = process.env.HOST ? { host: process.env.HOST } : {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (value === undefined || !arg?.startsWith('--')) {
      process.stderr.write(`ivr sim brevo: unexpected '${arg}'. ${USAGE}\n`);
      return 2;
    }
    i++;
    if (arg === '--port' || arg === '--sms-credits') {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0 || (arg === '--port' && n > 65535)) {
        process.stderr.write(`ivr sim brevo: ${arg} expects a whole number, got '${value}'\n`);
        return 2;
      }
      if (arg === '--port') opts.port = n;
      else opts.smsCredits = n;
    } else if (arg === '--api-key') {
      opts.apiKey = value;
    } else if (arg === '--host') {
      opts.host = value;
    } else {
      process.stderr.write(`ivr sim brevo: unknown option '${arg}'. ${USAGE}\n`);
      return 2;
    }
  }
  const sim = await startBrevoSimulator(opts);
  process.stdout.write(
    `Brevo simulator on ${sim.url}\n` +
      `  BREVO_BASE_URL=${sim.url} BREVO_API_KEY=${opts.apiKey ?? '<any>'}\n` +
      `  outbox: curl ${sim.url}/_sim/outbox   requests: ${sim.url}/_sim/requests   reset: POST ${sim.url}/_sim/reset\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.stop();
  return 0;
}
