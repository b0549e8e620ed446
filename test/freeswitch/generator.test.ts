/**
 * `ivr freeswitch-config`: the folder it writes, read the way FreeSWITCH reads it (the preprocessor model), and
 * the environments it refuses.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { command } from '../../cli/commands/freeswitch-config';
import { ConfigError } from '../../lib/env';
import { destinationPattern, freeswitchSettingsFromEnv, MARKER, writeFreeswitchConfig } from '../../lib/freeswitch-config';
import { loadFreeswitchConfig } from '../../sim/esl/freeswitch-config';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-gen-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const PASSWORD = 'Correct-Horse-42';

function generate(env: Record<string, string>, dir = path.join(tmp, 'conf')) {
  writeFreeswitchConfig(dir, freeswitchSettingsFromEnv({ ESL_PASSWORD: PASSWORD, ...env }));
  // FreeSWITCH's own environment is empty here: the folder must carry everything itself.
  return loadFreeswitchConfig({ confDir: dir, logDir: path.join(tmp, 'log'), env: {} });
}

test('the written folder loads as FreeSWITCH reads it, with ESL_PASSWORD really applied', () => {
  const conf = generate({ ESL_PORT: '8022', ESL_LISTEN_IP: '10.1.2.3', ESL_ALLOWED_CIDRS: '127.0.0.1/32, 10.1.0.0/16' });
  expect(conf.eventSocket).toEqual({
    password: PASSWORD,
    listenIp: '10.1.2.3',
    listenPort: 8022,
    acl: ['esl_clients'],
    defaultedPassword: false,
    defaultedListenIp: false,
  });
  const acl = conf.configuration('acl.conf')!.children[0]!.children.find((l) => l.attrs.name === 'esl_clients')!;
  expect(acl.children.map((n) => [n.attrs.type, n.attrs.cidr])).toEqual([['allow', '127.0.0.1/32'], ['allow', '10.1.0.0/16']]);
  expect(conf.log.filter((l) => l.level !== 'INFO')).toEqual([]);
});

test('the modules the product uses are loaded; TTS through FreeSWITCH only with VOICE_TTS=speak', () => {
  const playback = generate({});
  expect(playback.modules).toEqual([
    'mod_console',
    'mod_logfile',
    'mod_event_socket',
    'mod_sofia',
    'mod_commands',
    'mod_dptools',
    'mod_dialplan_xml',
    'mod_sndfile',
    'mod_tone_stream',
    'mod_callcenter',
  ]);
  expect(playback.configuration('tts_commandline.conf')).toBeUndefined();
  // The care queue plays a tone while callers wait: no sound files to install.
  const queue = playback.configuration('callcenter.conf')!.children.find((c) => c.name === 'queues')!.children[0]!;
  expect(queue.attrs.name).toBe('care_queue_1');
  expect(queue.children.find((p) => p.attrs.name === 'moh-sound')!.attrs.value).toMatch(/^tone_stream:\/\//);

  const speak = generate({ VOICE_TTS: 'speak', VOICE_TTS_RATE: '150' });
  expect(speak.modules).toContain('mod_tts_commandline');
  const cmd = speak.configuration('tts_commandline.conf')!.children[0]!.children[0]!.attrs.value;
  expect(cmd).toBe('espeak-ng -v ${voice} -s 150 -w ${file} ${text}');
});

test('every SIP profile and RTP are on the given addresses; an INVITE to IVR_DESTINATION reaches the IVR and parks', () => {
  const conf = generate({ SIP_IP: '192.0.2.10', SIP_PORT: '5080', RTP_IP: '192.0.2.11', IVR_DESTINATION: '5000,+33100000000' });
  expect(conf.sipProfiles).toHaveLength(1);
  for (const p of conf.sipProfiles) {
    expect(p.params).toMatchObject({ 'sip-ip': '192.0.2.10', 'ext-sip-ip': '192.0.2.10', 'sip-port': '5080', 'rtp-ip': '192.0.2.11', 'ext-rtp-ip': '192.0.2.11', context: 'public', 'auth-calls': 'false' });
  }
  for (const dest of ['5000', '+33100000000']) {
    const apps = conf.route(dest);
    expect(apps).toContainEqual(['set', 'playback_terminators=none']);
    expect(apps.slice(-2)).toEqual([['answer', ''], ['park', '']]);
  }
  expect(conf.route('50000')).toEqual([['hangup', 'NO_ROUTE_DESTINATION']]);
  expect(conf.route('33100000000')).toEqual([['hangup', 'NO_ROUTE_DESTINATION']]);
  const core = Object.fromEntries(conf.configuration('switch.conf')!.children[0]!.children.map((p) => [p.attrs.name, p.attrs.value]));
  expect(core).toMatchObject({ 'rtp-start-port': '16384', 'rtp-end-port': '16484' });
  expect(destinationPattern(['5000', '+331'])).toBe('(5000|\\+331)');
});

test('SIP_IP=auto binds FreeSWITCH\'s own local_ip_v4, and RTP follows SIP by default', () => {
  const conf = loadFreeswitchConfig({
    confDir: (writeFreeswitchConfig(path.join(tmp, 'c'), freeswitchSettingsFromEnv({ ESL_PASSWORD: PASSWORD, SIP_IP: 'auto' })), path.join(tmp, 'c')),
    variables: { local_ip_v4: '172.18.0.7' },
  });
  expect(conf.sipProfiles[0]!.params).toMatchObject({ 'sip-ip': '172.18.0.7', 'rtp-ip': '172.18.0.7' });
});

test('FreeSWITCH logs to LOGDIR/freeswitch.log (the -log argument)', () => {
  expect(generate({}).logFile).toBe(path.join(tmp, 'log', 'freeswitch.log'));
});

test('a password using every allowed special character reaches the event socket unchanged', () => {
  const special = 'aZ09_.,:;!?@%^*+=~/#()[]|-';
  writeFreeswitchConfig(path.join(tmp, 'c'), freeswitchSettingsFromEnv({ ESL_PASSWORD: special }));
  expect(loadFreeswitchConfig({ confDir: path.join(tmp, 'c') }).eventSocket.password).toBe(special);
});

test('the file holding the password is private; other files are readable', () => {
  generate({});
  const mode = (rel: string) => fs.statSync(path.join(tmp, 'conf', rel)).mode & 0o777;
  expect(mode('freeswitch.xml')).toBe(0o600);
  expect(mode('autoload_configs/sofia.conf.xml')).toBe(0o644);
  expect(fs.readFileSync(path.join(tmp, 'conf', 'autoload_configs', 'event_socket.conf.xml'), 'utf8')).not.toContain(PASSWORD);
});

describe('bad environments are refused, naming the variable and what to do', () => {
  test.each([
    [{}, /ESL_PASSWORD: ESL_PASSWORD is required/],
    [{ ESL_PASSWORD: 'ClueCon' }, /ESL_PASSWORD: is FreeSWITCH's well-known default "ClueCon"/],
    [{ ESL_PASSWORD: 'short' }, /ESL_PASSWORD: is too short/],
    [{ ESL_PASSWORD: 'has"a-quote-inside' }, /ESL_PASSWORD: may hold letters, digits/],
    [{ ESL_PASSWORD: 'has-$${dollar}-inside' }, /ESL_PASSWORD: may hold letters/],
    [{ ESL_PASSWORD: 'my-x-pre-process-pw' }, /ESL_PASSWORD: must not contain "X-PRE-PROCESS"/],
    [{ ESL_PASSWORD: PASSWORD, SIP_IP: 'freeswitch.local' }, /SIP_IP: SIP_IP must be an IP address FreeSWITCH can bind, or "auto"/],
    [{ ESL_PASSWORD: PASSWORD, RTP_IP: '300.1.1.1' }, /RTP_IP: RTP_IP must be an IP address/],
    [{ ESL_PASSWORD: PASSWORD, ESL_LISTEN_IP: 'auto' }, /ESL_LISTEN_IP: ESL_LISTEN_IP must be an IPv4 or IPv6 address/],
    [{ ESL_PASSWORD: PASSWORD, ESL_ALLOWED_CIDRS: '10.0.0.0' }, /ESL_ALLOWED_CIDRS\.0: ESL_ALLOWED_CIDRS entries must be CIDRs/],
    [{ ESL_PASSWORD: PASSWORD, ESL_ALLOWED_CIDRS: ' , ' }, /ESL_ALLOWED_CIDRS: ESL_ALLOWED_CIDRS lists no network/],
    [{ ESL_PASSWORD: PASSWORD, SIP_PORT: '70000' }, /SIP_PORT:/],
    [{ ESL_PASSWORD: PASSWORD, SIP_PORT: '8021' }, /ESL_PORT: is also SIP_PORT \(8021\)/],
    [{ ESL_PASSWORD: PASSWORD, RTP_START_PORT: '20000', RTP_END_PORT: '10000' }, /RTP_END_PORT: must be above RTP_START_PORT \(20000\)/],
    [{ ESL_PASSWORD: PASSWORD, IVR_DESTINATION: '5000,50 00' }, /IVR_DESTINATION\.1: IVR_DESTINATION entries must be dialable/],
    [{ ESL_PASSWORD: PASSWORD, VOICE_RECORD_DIR: 'recordings' }, /VOICE_RECORD_DIR: VOICE_RECORD_DIR must be an absolute path/],
    [{ ESL_PASSWORD: PASSWORD, VOICE_TTS: 'flite' }, /VOICE_TTS:/],
  ])('%j', (env, message) => {
    expect(() => freeswitchSettingsFromEnv(env)).toThrow(ConfigError);
    expect(() => freeswitchSettingsFromEnv(env)).toThrow(message);
  });
});

test('an existing FreeSWITCH folder is never overwritten; a folder it wrote is replaced whole', () => {
  const foreign = path.join(tmp, 'etc-freeswitch');
  fs.mkdirSync(foreign);
  fs.writeFileSync(path.join(foreign, 'freeswitch.xml'), '<document/>');
  expect(() => writeFreeswitchConfig(foreign, freeswitchSettingsFromEnv({ ESL_PASSWORD: PASSWORD }))).toThrow(/is not empty and was not written by ivr freeswitch-config/);
  expect(fs.readFileSync(path.join(foreign, 'freeswitch.xml'), 'utf8')).toBe('<document/>');

  const ours = path.join(tmp, 'ours');
  writeFreeswitchConfig(ours, freeswitchSettingsFromEnv({ ESL_PASSWORD: PASSWORD, VOICE_TTS: 'speak' }));
  expect(fs.existsSync(path.join(ours, 'autoload_configs', 'tts_commandline.conf.xml'))).toBe(true);
  writeFreeswitchConfig(ours, freeswitchSettingsFromEnv({ ESL_PASSWORD: PASSWORD }));
  expect(fs.existsSync(path.join(ours, 'autoload_configs', 'tts_commandline.conf.xml'))).toBe(false);
  expect(fs.existsSync(path.join(ours, MARKER))).toBe(true);
});

describe('ivr freeswitch-config', () => {
  const saved = { ...process.env };
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
    for (const k of Object.keys(process.env)) if (/^(ESL_|SIP_|RTP_|VOICE_|IVR_)/.test(k)) delete process.env[k];
  });
  afterEach(() => {
    jest.restoreAllMocks();
    process.env = { ...saved };
  });

  test('writes the folder from the environment, prints the command, never the password', async () => {
    Object.assign(process.env, { ESL_PASSWORD: PASSWORD, SIP_IP: '127.0.0.1' });
    const dir = path.join(tmp, 'conf');
    expect(await command.run(['--out', dir, '--log', path.join(tmp, 'log'), '--db', path.join(tmp, 'db')])).toBe(0);
    const text = out.join('');
    expect(text).toContain(`freeswitch -nc -nonat -conf ${dir} -log ${path.join(tmp, 'log')} -db ${path.join(tmp, 'db')}`);
    expect(text).not.toContain(PASSWORD);
    expect(fs.statSync(path.join(tmp, 'log')).isDirectory()).toBe(true);
    expect(loadFreeswitchConfig({ confDir: dir }).eventSocket.password).toBe(PASSWORD);
  });

  test('the default password is refused with exit 1 and nothing written', async () => {
    process.env.ESL_PASSWORD = 'ClueCon';
    const dir = path.join(tmp, 'conf');
    expect(await command.run(['--out', dir])).toBe(1);
    expect(err.join('')).toMatch(/ESL_PASSWORD: is FreeSWITCH's well-known default "ClueCon"/);
    expect(fs.existsSync(dir)).toBe(false);
  });

  test('usage errors exit 2', async () => {
    expect(await command.run([])).toBe(2);
    expect(err.join('')).toMatch(/--out <dir> is required/);
    expect(await command.run(['--out', tmp, '--bogus'])).toBe(2);
  });
});
