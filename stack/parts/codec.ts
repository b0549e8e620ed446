/** The codec server the UI and the CLI decrypt payloads through. */
import { z } from 'zod';
import { loopbackUrl } from '../peers';
import { startCodecServer } from '../../lib/codec/codec-server';
import { loadKeyring } from '../../lib/codec/keys';
import { parse, port, type PartRunner } from './common';

export const codecConfigSchema = z.object({
  port,
  host: z.string().min(1),
  allowedOrigins: z.array(z.url()).min(1),
});

export const run: PartRunner = async (config, env) => {
  const cfg = parse('codec', codecConfigSchema, config);
  const token = env.CODEC_SERVER_TOKEN?.trim();
  if (!token) throw new Error('part codec: CODEC_SERVER_TOKEN is missing from its environment (the supervisor always sets one)');
  const server = await startCodecServer({ port: cfg.port, host: cfg.host, keyring: loadKeyring(env), allowedOrigins: cfg.allowedOrigins, authToken: token });
  return { info: { url: loopbackUrl(server.url) }, stop: () => server.close() };
};
