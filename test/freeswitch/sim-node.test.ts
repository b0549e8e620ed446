/**
 * The simulated FreeSWITCH node (stack/sim-node.ts) reads its configuration through the preprocessor model:
 * the mistakes found on a real switch fail here too, and a switch left on mod_event_socket's fallbacks behaves
 * like one (ClueCon on 127.0.0.1), which the product refuses.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { startSimNode, type SimNodeOptions } from '../../stack/sim-node';
import { ConfigError } from '../../lib/env';
import { freeswitchSettingsFromEnv, writeFreeswitchConfig } from '../../lib/freeswitch-config';
import { startEslSimulator } from '../../sim/esl';
import { loadFreeswitchConfig, simulatorOptions } from '../../sim/esl/freeswitch-config';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-node-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const PASSWORD = 'sim-node-password';

/** The generated folder, with freeswitch.xml edited by `edit` (a deployment mistake). */
function configWith(edit: (rootXml: string) => string): string {
  const dir = path.join(tmp, 'conf');
  writeFreeswitchConfig(dir, freeswitchSettingsFromEnv({ ESL_PASSWORD: PASSWORD }));
  const root = path.join(dir, 'freeswitch.xml');
  const before = fs.readFileSync(root, 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before);
  fs.writeFileSync(root, after);
  return dir;
}

/** Options for startSimNode; the node must refuse before it touches Temporal, so no server is needed here. */
function nodeOptions(confDir: string, confEnv: Record<string, string> = {}): SimNodeOptions {
  return {
    client: {} as Client,
    connection: {} as NativeConnection,
    machine: {} as SimNodeOptions['machine'],
    sessionTaskQueue: 'unused',
    transcriber: {} as SimNodeOptions['transcriber'],
    password: PASSWORD,
    dir: tmp,
    confDir,
    confEnv,
  };
}

/** `auth <password>` on a fresh socket: FreeSWITCH's reply text. */
function auth(port: number, host: string, password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('utf8');
      if (buf.includes('auth/request') && !buf.includes('sent')) {
        buf += 'sent';
        socket.write(`auth ${password}\n\n`);
      }
      const m = /Reply-Text: ([^\n]*)/.exec(buf);
      if (m) {
        socket.destroy();
        resolve(m[1]!);
      }
    });
    socket.on('error', reject);
  });
}

test('a configuration FreeSWITCH refuses to load is refused by the simulated node with FreeSWITCH\'s message', async () => {
  // The comment mistake of the shipped care-ivr.xml, in the generated root: the file includes itself.
  const dir = configWith((xml) => xml.replace('<document type="freeswitch/xml">', '<!--\n  <X-PRE-PROCESS cmd="include" data="freeswitch.xml"/>\n-->\n<document type="freeswitch/xml">'));
  await expect(startSimNode(nodeOptions(dir))).rejects.toThrow(/^Cannot Initialize \[\[error near line \d+\]: unclosed <!--\]$/);
});

describe('env-set without "$" (the shipped mistake): the password is never set', () => {
  const mistake = (xml: string) => xml.replace(/<X-PRE-PROCESS cmd="set" data="esl_password=[^"]*"\/>/, '<X-PRE-PROCESS cmd="env-set" data="esl_password=ESL_PASSWORD"/>').replace(/<X-PRE-PROCESS cmd="set" data="esl_listen_ip=[^"]*"\/>/, '<X-PRE-PROCESS cmd="env-set" data="esl_listen_ip=ESL_LISTEN_IP"/>');

  test('the simulated event socket then behaves like mod_event_socket: ClueCon, on 127.0.0.1', async () => {
    const conf = loadFreeswitchConfig({ confDir: configWith(mistake), env: { ESL_PASSWORD: PASSWORD, ESL_LISTEN_IP: '0.0.0.0' } });
    const opts = simulatorOptions(conf);
    expect({ password: opts.password, host: opts.host }).toEqual({ password: 'ClueCon', host: '127.0.0.1' });
    const sim = await startEslSimulator({ ...opts, heartbeatMs: 0 });
    try {
      expect(sim.host).toBe('127.0.0.1');
      expect(await auth(sim.port, '127.0.0.1', PASSWORD)).toBe('-ERR invalid');
      expect(await auth(sim.port, '127.0.0.1', 'ClueCon')).toBe('+OK accepted');
    } finally {
      await sim.stop();
    }
  });

  test('and the product refuses to run on it', async () => {
    const error: unknown = await startSimNode(nodeOptions(configWith(mistake), { ESL_PASSWORD: PASSWORD })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/ESL_PASSWORD: is FreeSWITCH's well-known default "ClueCon"/);
  });
});

test('a configuration whose event socket asks another password than the node\'s is refused', async () => {
  const dir = configWith((xml) => xml.replace(`esl_password=${PASSWORD}`, 'esl_password=some-other-password'));
  await expect(startSimNode(nodeOptions(dir))).rejects.toThrow(/would not ask for this node's ESL_PASSWORD/);
});

test('an IVR number the dialplan does not park is refused', async () => {
  const dir = configWith((xml) => xml.replace('data="care_ivr_number=5000"', 'data="care_ivr_number=6000"'));
  await expect(startSimNode(nodeOptions(dir))).rejects.toThrow(/the IVR extension for 5000 must end in park/);
});
