/**
 * A FreeSWITCH configuration directory read the way `freeswitch -conf DIR` reads it (xml-preprocessor.ts), and the
 * parts of it the simulated node acts on: the event socket's settings with mod_event_socket's fallbacks, the
 * modules, the SIP profiles and the route an inbound INVITE takes through the XML dialplan.
 */
import path from 'node:path';
import {
  childNamed,
  childrenNamed,
  parseXml,
  preprocess,
  XmlParseError,
  type GlobalVariables,
  type PreprocessLogLine,
  type PreprocessOptions,
  type XmlElement,
} from './xml-preprocessor';

/** FreeSWITCH refused to start: `message` is what it prints on stderr. */
export class FreeswitchStartError extends Error {
  override name = 'FreeswitchStartError';
  constructor(
    readonly reason: string,
    readonly log: PreprocessLogLine[],
  ) {
    super(`Cannot Initialize [${reason}]`);
  }
}

export interface EventSocketSettings {
  password: string;
  listenIp: string;
  listenPort: number;
  acl: string[];
  /** True when the password or the address came from mod_event_socket's fallbacks, not from the configuration. */
  defaultedPassword: boolean;
  defaultedListenIp: boolean;
}

export interface SipProfile {
  name: string;
  params: Record<string, string>;
}

export interface FreeswitchConfig {
  confDir: string;
  /** The preprocessed text (LOGDIR/freeswitch.xml.fsxml on a real switch). */
  text: string;
  variables: GlobalVariables;
  log: PreprocessLogLine[];
  root: XmlElement;
  configuration(name: string): XmlElement | undefined;
  eventSocket: EventSocketSettings;
  /** Modules listed in modules.conf, in load order. */
  modules: string[];
  sipProfiles: SipProfile[];
  /** Where mod_logfile's default profile writes. */
  logFile: string | undefined;
  /**
   * The applications an INVITE for `destination` on `profile` (default: the first SIP profile) runs, from the
   * profile's context in the XML dialplan; no matching extension is FreeSWITCH's NO_ROUTE_DESTINATION hang-up.
   */
  route(destination: string, opts?: { profile?: string; callerIdNumber?: string }): Array<[string, string]>;
}

export interface LoadOptions extends PreprocessOptions {
  /** `freeswitch -log DIR`: mod_logfile's default file is DIR/freeswitch.log. */
  logDir?: string;
}

/** Reads `confDir` as FreeSWITCH does at start; throws FreeswitchStartError with FreeSWITCH's own message. */
export function loadFreeswitchConfig(opts: LoadOptions): FreeswitchConfig {
  const logDir = opts.logDir ?? path.join(opts.confDir, '..', 'log');
  // Set by the core before the configuration is read (switch_core_set_globals / switch_core_init).
  const variables = {
    hostname: 'fs-sim',
    local_ip_v4: '127.0.0.1',
    conf_dir: opts.confDir,
    log_dir: logDir,
    ...opts.variables,
  };
  const pre = preprocess({ ...opts, variables });
  if (!pre.rootRead) throw new FreeswitchStartError('Cannot Open log directory or XML Root!', pre.log);
  let root: XmlElement;
  try {
    root = parseXml(pre.text);
  } catch (err) {
    if (err instanceof XmlParseError) throw new FreeswitchStartError(err.message, pre.log);
    throw err;
  }
  const configuration = (name: string) => childNamed(childNamed(root, 'section', ['name', 'configuration']), 'configuration', ['name', name]);
  const params = (el: XmlElement | undefined): Array<[string, string]> =>
    childrenNamed(el, 'param').map((p) => [p.attrs.name ?? '', p.attrs.value ?? '']);

  const es = configuration('event_socket.conf');
  let password = '';
  let listenIp = '';
  let listenPort = 0;
  const acl: string[] = [];
  for (const [name, value] of params(childNamed(es, 'settings'))) {
    if (name === 'listen-ip') listenIp = value;
    else if (name === 'listen-port') listenPort = Number.parseInt(value, 10) || 0;
    else if (name === 'password') password = value;
    else if (name.toLowerCase() === 'apply-inbound-acl' && value) acl.push(value);
  }
  // mod_event_socket.c config(): empty values fall back to its built-in defaults.
  const eventSocket: EventSocketSettings = {
    password: password || 'ClueCon',
    listenIp: listenIp || '127.0.0.1',
    listenPort: listenPort || 8021,
    acl: acl.length ? acl : ['loopback.auto'],
    defaultedPassword: !password,
    defaultedListenIp: !listenIp,
  };

  const modules = childrenNamed(childNamed(configuration('modules.conf'), 'modules'), 'load').map((l) => l.attrs.module ?? '');
  const sipProfiles = childrenNamed(childNamed(configuration('sofia.conf'), 'profiles'), 'profile').map((p) => ({
    name: p.attrs.name ?? '',
    params: Object.fromEntries(params(childNamed(p, 'settings'))),
  }));
  const logProfile = childNamed(childNamed(configuration('logfile.conf'), 'profiles'), 'profile', ['name', 'default']);
  const logFile = modules.includes('mod_logfile')
    ? (Object.fromEntries(params(childNamed(logProfile, 'settings'))).logfile ?? '') || path.join(logDir, 'freeswitch.log')
    : undefined;

  const dialplan = childNamed(root, 'section', ['name', 'dialplan']);
  return {
    confDir: opts.confDir,
    text: pre.text,
    variables: pre.variables,
    log: pre.log,
    root,
    configuration,
    eventSocket,
    modules,
    sipProfiles,
    logFile,
    route(destination, o = {}) {
      const profile = o.profile ? sipProfiles.find((p) => p.name === o.profile) : sipProfiles[0];
      const context = profile?.params.context ?? 'public';
      const fields: Record<string, string> = { destination_number: destination, caller_id_number: o.callerIdNumber ?? '' };
      const apps: Array<[string, string]> = [];
      for (const ext of childrenNamed(childNamed(dialplan, 'context', ['name', context]), 'extension')) {
        const conditions = childrenNamed(ext, 'condition');
        const matched = conditions.every((c) => {
          if (c.attrs.field === undefined && c.attrs.expression === undefined) return true;
          return new RegExp(c.attrs.expression ?? '').test(fields[c.attrs.field ?? ''] ?? '');
        });
        if (!matched) continue;
        for (const c of conditions) for (const a of childrenNamed(c, 'action')) apps.push([a.attrs.application ?? '', a.attrs.data ?? '']);
        if (ext.attrs.continue !== 'true') break;
      }
      return apps.length ? apps : [['hangup', 'NO_ROUTE_DESTINATION']];
    },
  };
}

/** How an ESL simulator standing for this switch listens and routes calls: mod_event_socket's settings, the dialplan. */
export function simulatorOptions(conf: FreeswitchConfig): { password: string; host: string; dialplan: (destination: string) => Array<[string, string]> } {
  return { password: conf.eventSocket.password, host: conf.eventSocket.listenIp, dialplan: (destination) => conf.route(destination) };
}
