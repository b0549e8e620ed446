/** docker-compose's FreeSWITCH runs the generated folder with the command `ivr freeswitch-config` prints. */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { freeswitchCommand } from '../../lib/freeswitch-config';

test('the freeswitch service runs the generated folder with the documented command, in the foreground', () => {
  const compose = parse(fs.readFileSync(path.join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, { entrypoint?: string[]; volumes?: string[]; environment?: Record<string, string> }>;
  };
  const fsService = compose.services.freeswitch!;
  const script = fsService.entrypoint?.join(' ') ?? '';
  const conf = '/etc/care-ivr/freeswitch';
  expect(script).toContain(`exec ${freeswitchCommand(conf, '/var/log/care-ivr', '/var/lib/care-ivr/db', { foreground: true }).join(' ')}`);
  expect(fsService.volumes).toContain(`./.data/freeswitch/conf:${conf}:ro`);
  // The folder carries the password: FreeSWITCH's environment needs none.
  expect(fsService.environment?.ESL_PASSWORD).toBeUndefined();
});
