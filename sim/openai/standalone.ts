/** `ivr sim openai --port <p> [--api-key k] [--host h]`: the OpenAI-compatible simulator as a process. */
import { startOpenAiSimulator } from './index';

export async function runStandalone(argv: string[]): Promise<number> {
  // Loopback unless --host or HOST opens it.
  const opts: { port?: number; apiKey?: string; host?: string } = process.env.HOST ? { host: process.env.HOST } : {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--port' && value !== undefined) {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        process.stderr.write(`ivr sim openai: --port expects 0–65535, got '${value}'\n`);
        return 2;
      }
      opts.port = port;
      i++;
    } else if (arg === '--api-key' && value !== undefined) {
      opts.apiKey = value;
      i++;
    } else if (arg === '--host' && value !== undefined) {
      opts.host = value;
      i++;
    } else {
      process.stderr.write(`ivr sim openai: unknown argument '${arg}'. Usage: ivr sim openai [--port <p>] [--api-key <k>] [--host <h>]\n`);
      return 2;
    }
  }
  const sim = await startOpenAiSimulator(opts);
  process.stdout.write(
    `OpenAI-compatible simulator on ${sim.url}\n` +
      `  OPENAI_BASE_URL=${sim.url} OPENAI_API_KEY=${opts.apiKey ?? '<any>'}\n` +
      `  GET /_sim/requests, POST /_sim/transcripts {sha256,text}, POST /_sim/chat-answer {answer}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await sim.stop();
  return 0;
}
