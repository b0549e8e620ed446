/**
 * A complete FreeSWITCH configuration folder for the care IVR, from the environment the project already reads
 * (ESL_*, IVR_DESTINATION, VOICE_*) plus SIP_IP, SIP_PORT and RTP_IP. Loadable as
 * `freeswitch -nc -nonat -conf DIR -log LOGDIR -db DBDIR`; nothing else of /etc/freeswitch is needed.
 *
 * The values reach FreeSWITCH as `set` lines of its XML preprocessor, written into freeswitch.xml itself: that file
 * holds the event-socket password, is written 0600, and FreeSWITCH refuses to start without it (an unreadable
 * included file would only be logged, and mod_event_socket would fall back to ClueCon). The shipped fragments of
 * freeswitch/ (event socket, care queue, TTS, the IVR extension) are copied as they are and read those variables.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError, parseEnv } from '../env';

/** FreeSWITCH's shipped event-socket password (mod_event_socket's fallback): never written by this generator. */
export const FREESWITCH_DEFAULT_PASSWORD = 'ClueCon';

/** The shipped fragments copied into every generated folder. */
export const SHIPPED_DIR = path.join(__dirname, '..', '..', 'freeswitch');

/** Marks a folder this generator owns, so a rerun may replace its contents and nothing else is ever overwritten. */
export const MARKER = '.care-ivr-freeswitch-config';

const ip = (what: string) =>
  z
    .string()
    .trim()
    .refine((v) => net.isIP(v) !== 0, `${what} must be an IPv4 or IPv6 address (e.g. 127.0.0.1)`);

/** An address FreeSWITCH binds: a literal IP, or "auto" for FreeSWITCH's own local_ip_v4 (a container's address). */
const bindIp = (what: string) =>
  z
    .string()
    .trim()
    .refine((v) => v === 'auto' || net.isIP(v) !== 0, `${what} must be an IP address FreeSWITCH can bind, or "auto" (FreeSWITCH's own local_ip_v4)`);

const port = z.coerce.number().int().min(1).max(65535);

const absolutePath = (what: string) =>
  z
    .string()
    .min(1)
    .regex(/^\/\S*$/, `${what} must be an absolute path without spaces (FreeSWITCH and the voice worker must see the same path)`);

/**
 * The password travels through the preprocessor (`set` stops at a double quote, `$${` would expand, a line holding
 * "x-pre-process" is dropped) and then an XML attribute (`<`, `&` are markup): only characters that survive all of it.
 */
const PASSWORD_CHARS = /^[A-Za-z0-9_.,:;!?@%^*+=~/#()[\]|-]+$/;

export const FreeswitchEnvSchema = z
  .object({
    ESL_PASSWORD: z
      .string({ error: 'ESL_PASSWORD is required: the event-socket password FreeSWITCH will ask the esl-bridge and the voice worker for' })
      .min(12, 'is too short: use at least 12 characters (the event socket controls every call)')
      .max(128, 'is longer than 128 characters')
      .regex(PASSWORD_CHARS, 'may hold letters, digits and _.,:;!?@%^*+=~/#()[]|- only (no spaces, quotes, $, <, > or &: FreeSWITCH\'s preprocessor and XML parser would alter it)')
      .refine((v) => !v.toLowerCase().includes('x-pre-process'), 'must not contain "X-PRE-PROCESS" (FreeSWITCH drops any configuration line holding it)'),
    ESL_PORT: port.default(8021),
    ESL_LISTEN_IP: ip('ESL_LISTEN_IP').default('127.0.0.1'),
    /** Who may open the event socket (mod_event_socket's inbound ACL), comma-separated CIDRs. */
    ESL_ALLOWED_CIDRS: z
      .string()
      .default('127.0.0.1/32,::1/128')
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(
        z
          .array(
            z.string().refine((c) => {
              const [addr, bits, extra] = c.split('/');
              const family = net.isIP(addr ?? '');
              const max = family === 6 ? 128 : 32;
              return family !== 0 && extra === undefined && bits !== undefined && /^\d+$/.test(bits) && Number(bits) <= max;
            }, 'ESL_ALLOWED_CIDRS entries must be CIDRs such as 127.0.0.1/32 or 172.16.0.0/12'),
          )
          .min(1, 'ESL_ALLOWED_CIDRS lists no network: nobody could open the event socket'),
      ),
    IVR_DESTINATION: z
      .string()
      .default('5000')
      .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^[0-9A-Za-z+*#_-]{1,32}$/, 'IVR_DESTINATION entries must be dialable numbers or extension names')).min(1, 'IVR_DESTINATION lists no number')),
    VOICE_TTS: z.enum(['playback', 'speak']).default('playback'),
    VOICE_TTS_DIR: absolutePath('VOICE_TTS_DIR').default('/tmp/ivr/tts'),
    VOICE_RECORD_DIR: absolutePath('VOICE_RECORD_DIR').default('/tmp/ivr/recordings'),
    VOICE_TTS_RATE: z.coerce.number().int().min(80).max(400).default(165),
    SIP_IP: bindIp('SIP_IP').default('127.0.0.1'),
    SIP_PORT: port.default(5060),
    /** Defaults to SIP_IP: media on the same address as signalling. */
    RTP_IP: bindIp('RTP_IP').optional(),
    RTP_START_PORT: port.default(16384),
    RTP_END_PORT: port.default(16484),
  })
  .superRefine((env, ctx) => {
    if (env.ESL_PASSWORD === FREESWITCH_DEFAULT_PASSWORD) {
      ctx.addIssue({
        code: 'custom',
        path: ['ESL_PASSWORD'],
        message: 'is FreeSWITCH\'s well-known default "ClueCon": choose another password (the esl-bridge refuses this one anyway)',
      });
    }
    if (env.RTP_END_PORT <= env.RTP_START_PORT) {
      ctx.addIssue({ code: 'custom', path: ['RTP_END_PORT'], message: `must be above RTP_START_PORT (${env.RTP_START_PORT})` });
    }
    if (env.ESL_PORT === env.SIP_PORT) {
      ctx.addIssue({ code: 'custom', path: ['ESL_PORT'], message: `is also SIP_PORT (${env.SIP_PORT}): give the event socket and SIP different ports` });
    }
  });

export interface FreeswitchSettings {
  eslPassword: string;
  eslPort: number;
  eslListenIp: string;
  eslAllowedCidrs: string[];
  destinations: string[];
  tts: 'playback' | 'speak';
  ttsDir: string;
  recordDir: string;
  ttsRate: number;
  sipIp: string;
  sipPort: number;
  rtpIp: string;
  rtpStartPort: number;
  rtpEndPort: number;
}

/** Validates the environment (zod); ConfigError names every wrong variable. */
export function freeswitchSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): FreeswitchSettings {
  const e = parseEnv(FreeswitchEnvSchema, env, 'FreeSWITCH configuration');
  return {
    eslPassword: e.ESL_PASSWORD,
    eslPort: e.ESL_PORT,
    eslListenIp: e.ESL_LISTEN_IP,
    eslAllowedCidrs: e.ESL_ALLOWED_CIDRS,
    destinations: e.IVR_DESTINATION,
    tts: e.VOICE_TTS,
    ttsDir: e.VOICE_TTS_DIR,
    recordDir: e.VOICE_RECORD_DIR,
    ttsRate: e.VOICE_TTS_RATE,
    sipIp: e.SIP_IP,
    sipPort: e.SIP_PORT,
    rtpIp: e.RTP_IP ?? e.SIP_IP,
    rtpStartPort: e.RTP_START_PORT,
    rtpEndPort: e.RTP_END_PORT,
  };
}

/** The modules the product uses, in load order (freeswitch/README.md says what each is for). */
export function modulesFor(s: Pick<FreeswitchSettings, 'tts'>): string[] {
  return [
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
    ...(s.tts === 'speak' ? ['mod_tts_commandline'] : []),
  ];
}

const xmlAttr = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The dialplan's destination pattern: the numbers, regex-escaped, as one PCRE alternative. */
export function destinationPattern(destinations: string[]): string {
  const escaped = destinations.map((d) => d.replace(/[+*#]/g, (c) => `\\${c}`));
  return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
}

/** A bind address: "auto" is FreeSWITCH's own local_ip_v4, expanded when it reads the file. */
const bind = (v: string) => (v === 'auto' ? '$${local_ip_v4}' : v);

function rootFile(s: FreeswitchSettings): string {
  const set = (name: string, value: string) => `  <X-PRE-PROCESS cmd="set" data="${name}=${value}"/>\n`;
  // Comments here must not quote preprocessor lines nor hold a double hyphen: FreeSWITCH reads both.
  return (
    '<?xml version="1.0"?>\n' +
    '<!-- Written by "ivr freeswitch-config" from the environment. It holds the event-socket password: keep it private. -->\n' +
    '<document type="freeswitch/xml">\n' +
    set('esl_password', s.eslPassword) +
    set('esl_listen_ip', s.eslListenIp) +
    set('esl_listen_port', String(s.eslPort)) +
    set('care_ivr_number', destinationPattern(s.destinations)) +
    set('care_ivr_tts_dir', s.ttsDir) +
    set('care_ivr_record_dir', s.recordDir) +
    set('care_hold_music', 'tone_stream://%(1000,4000,440);loops=-1') +
    set('care_tts_rate', String(s.ttsRate)) +
    set('care_sip_ip', bind(s.sipIp)) +
    set('care_sip_port', String(s.sipPort)) +
    set('care_rtp_ip', bind(s.rtpIp)) +
    set('domain', bind(s.sipIp)) +
    '  <section name="configuration" description="Modules and their settings">\n' +
    '    <X-PRE-PROCESS cmd="include" data="autoload_configs/*.xml"/>\n' +
    '  </section>\n' +
    '  <section name="dialplan" description="XML dialplan">\n' +
    '    <X-PRE-PROCESS cmd="include" data="dialplan/*.xml"/>\n' +
    '  </section>\n' +
    '</document>\n'
  );
}

function modulesFile(s: FreeswitchSettings): string {
  return (
    '<configuration name="modules.conf" description="Modules">\n' +
    '  <modules>\n' +
    modulesFor(s).map((m) => `    <load module="${m}"/>\n`).join('') +
    '  </modules>\n' +
    '</configuration>\n'
  );
}

function switchFile(s: FreeswitchSettings): string {
  return (
    '<configuration name="switch.conf" description="Core">\n' +
    '  <settings>\n' +
    '    <param name="max-sessions" value="1000"/>\n' +
    '    <param name="sessions-per-second" value="30"/>\n' +
    '    <param name="loglevel" value="info"/>\n' +
    `    <param name="rtp-start-port" value="${s.rtpStartPort}"/>\n` +
    `    <param name="rtp-end-port" value="${s.rtpEndPort}"/>\n` +
    '    <param name="dump-cores" value="no"/>\n' +
    '  </settings>\n' +
    '</configuration>\n'
  );
}

const LOG_MAP = '    <map name="all" value="console,debug,info,notice,warning,err,crit,alert"/>\n';

function consoleFile(): string {
  return (
    '<configuration name="console.conf" description="Console logger">\n' +
    '  <mappings>\n' +
    LOG_MAP +
    '  </mappings>\n' +
    '  <settings>\n' +
    '    <param name="colorize" value="false"/>\n' +
    '    <param name="loglevel" value="info"/>\n' +
    '  </settings>\n' +
    '</configuration>\n'
  );
}

function logfileFile(): string {
  // No "logfile" param: mod_logfile then writes LOGDIR/freeswitch.log, LOGDIR being the -log argument.
  return (
    '<configuration name="logfile.conf" description="File logger">\n' +
    '  <settings>\n' +
    '    <param name="rotate-on-hup" value="true"/>\n' +
    '  </settings>\n' +
    '  <profiles>\n' +
    '    <profile name="default">\n' +
    '      <settings>\n' +
    '        <param name="rollover" value="104857600"/>\n' +
    '        <param name="maximum-rotate" value="10"/>\n' +
    '        <param name="uuid" value="true"/>\n' +
    '      </settings>\n' +
    '      <mappings>\n' +
    '    ' +
    LOG_MAP +
    '      </mappings>\n' +
    '    </profile>\n' +
    '  </profiles>\n' +
    '</configuration>\n'
  );
}

function sofiaFile(): string {
  const p = (name: string, value: string) => `        <param name="${name}" value="${value}"/>\n`;
  return (
    '<configuration name="sofia.conf" description="SIP">\n' +
    '  <global_settings>\n' +
    '    <param name="log-level" value="0"/>\n' +
    '  </global_settings>\n' +
    '  <profiles>\n' +
    '    <!-- The only SIP profile: signalling and media on the configured addresses, INVITEs routed to the public context. -->\n' +
    '    <profile name="care">\n' +
    '      <settings>\n' +
    p('sip-ip', '$${care_sip_ip}') +
    p('sip-port', '$${care_sip_port}') +
    p('rtp-ip', '$${care_rtp_ip}') +
    p('ext-sip-ip', '$${care_sip_ip}') +
    p('ext-rtp-ip', '$${care_rtp_ip}') +
    p('context', 'public') +
    p('dialplan', 'XML') +
    // Callers are not registered users: an INVITE to the IVR number is answered without a challenge.
    p('auth-calls', 'false') +
    p('accept-blind-reg', 'false') +
    p('disable-register', 'true') +
    p('manage-presence', 'false') +
    p('inbound-codec-prefs', 'PCMA,PCMU') +
    p('outbound-codec-prefs', 'PCMA,PCMU') +
    p('dtmf-type', 'rfc2833') +
    p('rfc2833-pt', '101') +
    p('rtp-timer-name', 'soft') +
    p('rtp-timeout-sec', '300') +
    p('user-agent-string', 'care-ivr') +
    '      </settings>\n' +
    '    </profile>\n' +
    '  </profiles>\n' +
    '</configuration>\n'
  );
}

function aclFile(s: FreeswitchSettings): string {
  return (
    '<configuration name="acl.conf" description="Network lists">\n' +
    '  <network-lists>\n' +
    '    <!-- Who may open the event socket (ESL_ALLOWED_CIDRS). -->\n' +
    '    <list name="esl_clients" default="deny">\n' +
    s.eslAllowedCidrs.map((c) => `      <node type="allow" cidr="${xmlAttr(c)}"/>\n`).join('') +
    '    </list>\n' +
    '  </network-lists>\n' +
    '</configuration>\n'
  );
}

function publicContextFile(): string {
  return (
    '<!-- Calls arriving on the SIP profile (context "public"): the care IVR extension, nothing else. -->\n' +
    '<context name="public">\n' +
    '  <X-PRE-PROCESS cmd="include" data="public/*.xml"/>\n' +
    '</context>\n'
  );
}

/** Every file of the folder: relative path → content; `secret` files are written 0600. */
export function renderFreeswitchConfig(s: FreeswitchSettings, shippedDir = SHIPPED_DIR): Array<{ path: string; content: string; secret?: boolean }> {
  const shipped = (rel: string) => {
    const file = path.join(shippedDir, rel);
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read the shipped FreeSWITCH fragment ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); run from a complete checkout of the project`);
    }
  };
  const files: Array<{ path: string; content: string; secret?: boolean }> = [
    { path: 'freeswitch.xml', content: rootFile(s), secret: true },
    { path: 'autoload_configs/modules.conf.xml', content: modulesFile(s) },
    { path: 'autoload_configs/switch.conf.xml', content: switchFile(s) },
    { path: 'autoload_configs/console.conf.xml', content: consoleFile() },
    { path: 'autoload_configs/logfile.conf.xml', content: logfileFile() },
    { path: 'autoload_configs/sofia.conf.xml', content: sofiaFile() },
    { path: 'autoload_configs/acl.conf.xml', content: aclFile(s) },
    { path: 'autoload_configs/event_socket.conf.xml', content: shipped('autoload_configs/event_socket.conf.xml') },
    { path: 'autoload_configs/callcenter.conf.xml', content: shipped('autoload_configs/callcenter.conf.xml') },
    { path: 'dialplan/public.xml', content: publicContextFile() },
    { path: 'dialplan/public/10_care_ivr.xml', content: shipped('dialplan/public/10_care_ivr.xml') },
  ];
  if (s.tts === 'speak') files.push({ path: 'autoload_configs/tts_commandline.conf.xml', content: shipped('autoload_configs/tts_commandline.conf.xml') });
  return files;
}

/**
 * Writes the folder. It must be new, empty, or one this function wrote before (its contents are then replaced, so
 * a file that is no longer generated does not linger in autoload_configs/).
 */
export function writeFreeswitchConfig(outDir: string, s: FreeswitchSettings, shippedDir = SHIPPED_DIR): string[] {
  const files = renderFreeswitchConfig(s, shippedDir);
  const out = path.resolve(outDir);
  if (fs.existsSync(out)) {
    if (!fs.statSync(out).isDirectory()) throw new ConfigError(`--out ${out} is a file, not a folder`);
    const entries = fs.readdirSync(out);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new ConfigError(
        `--out ${out} is not empty and was not written by ivr freeswitch-config: give a new or empty folder (an existing FreeSWITCH configuration is never overwritten)`,
      );
    }
    for (const e of entries) fs.rmSync(path.join(out, e), { recursive: true, force: true });
  }
  fs.mkdirSync(out, { recursive: true });
  for (const f of files) {
    const target = path.join(out, f.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, f.content, { mode: f.secret ? 0o600 : 0o644 });
    // The mode of writeFileSync applies only to a new file; be explicit.
    fs.chmodSync(target, f.secret ? 0o600 : 0o644);
  }
  fs.writeFileSync(path.join(out, MARKER), 'Written by ivr freeswitch-config; rerunning it replaces this folder.\n');
  return files.map((f) => f.path);
}

/** The command line that runs FreeSWITCH on the folder (foreground with -nf, as a container or systemd needs). */
export function freeswitchCommand(confDir: string, logDir: string, dbDir: string, opts: { foreground?: boolean } = {}): string[] {
  return ['freeswitch', '-nc', ...(opts.foreground ? ['-nf'] : []), '-nonat', '-conf', confDir, '-log', logDir, '-db', dbDir];
}
