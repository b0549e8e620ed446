/**
 * The model of FreeSWITCH's configuration reading (sim/esl/xml-preprocessor.ts, freeswitch-config.ts), held to
 * what switch_xml.c does, and findings 1 and 2 of the real-switch trial: the shipped care-ivr.xml included itself
 * from its own comment ("unclosed <!--"), and `env-set name=VAR` left the event socket on ClueCon / 127.0.0.1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FreeswitchStartError, loadFreeswitchConfig } from '../../sim/esl/freeswitch-config';
import { globPaths, parseXml, preprocess, XmlParseError } from '../../sim/esl/xml-preprocessor';

const ROOT = path.join(__dirname, '..', '..');
const SHIPPED = path.join(ROOT, 'freeswitch');

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-model-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A configuration folder from a map of relative path → content. */
function confDir(files: Record<string, string>): string {
  const dir = path.join(tmp, 'conf');
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

/** A root like the vanilla one: vars.xml, then every autoload_configs file in the configuration section. */
const ROOT_XML = `<?xml version="1.0"?>
<document type="freeswitch/xml">
  <X-PRE-PROCESS cmd="include" data="vars.xml"/>
  <section name="configuration" description="Various Configuration">
    <X-PRE-PROCESS cmd="include" data="autoload_configs/*.xml"/>
  </section>
  <section name="dialplan" description="Regex/XML Dialplan">
    <context name="public">
      <X-PRE-PROCESS cmd="include" data="dialplan/public/*.xml"/>
    </context>
  </section>
</document>
`;

/** An existing FreeSWITCH with the shipped fragments installed as freeswitch/README.md says, and `careIvr` as care-ivr.xml. */
function existingSwitch(careIvr: string): string {
  return confDir({
    'freeswitch.xml': ROOT_XML,
    'vars.xml': '<include>\n  <X-PRE-PROCESS cmd="set" data="domain=$${local_ip_v4}"/>\n  <X-PRE-PROCESS cmd="include" data="care-ivr.xml"/>\n</include>\n',
    'care-ivr.xml': careIvr,
    'autoload_configs/event_socket.conf.xml': fs.readFileSync(path.join(SHIPPED, 'autoload_configs/event_socket.conf.xml'), 'utf8'),
    'autoload_configs/acl.conf.xml': fs.readFileSync(path.join(SHIPPED, 'autoload_configs/acl.conf.xml'), 'utf8'),
    'autoload_configs/callcenter.conf.xml': fs.readFileSync(path.join(SHIPPED, 'autoload_configs/callcenter.conf.xml'), 'utf8'),
    'autoload_configs/tts_commandline.conf.xml': fs.readFileSync(path.join(SHIPPED, 'autoload_configs/tts_commandline.conf.xml'), 'utf8'),
    'dialplan/public/10_care_ivr.xml': fs.readFileSync(path.join(SHIPPED, 'dialplan/public/10_care_ivr.xml'), 'utf8'),
  });
}

describe('finding 1: a preprocessor line inside a comment runs', () => {
  test('the care-ivr.xml shipped before the fix includes itself from its comment and FreeSWITCH refuses to start', () => {
    const dir = existingSwitch(fs.readFileSync(path.join(__dirname, 'fixtures', 'care-ivr.before.xml'), 'utf8'));
    let error: unknown;
    try {
      loadFreeswitchConfig({ confDir: dir, env: { ESL_PASSWORD: 'a-good-password' } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FreeswitchStartError);
    expect((error as Error).message).toMatch(/^Cannot Initialize \[\[error near line \d+\]: unclosed <!--\]$/);
    // What FreeSWITCH logs on the way: 100 nested includes, then the recursion limit.
    expect((error as FreeswitchStartError).log).toContainEqual({
      level: 'ERROR',
      message: `Error including ${dir}/care-ivr.xml (Maximum recursion limit reached)`,
    });
  });

  test('the shipped care-ivr.xml loads on an existing FreeSWITCH and gives the event socket ESL_PASSWORD', () => {
    const conf = loadFreeswitchConfig({ confDir: existingSwitch(fs.readFileSync(path.join(SHIPPED, 'vars/care-ivr.xml'), 'utf8')), env: { ESL_PASSWORD: 'a-good-password', ESL_LISTEN_IP: '10.0.0.5' } });
    expect(conf.eventSocket).toMatchObject({ password: 'a-good-password', listenIp: '10.0.0.5', listenPort: 8021, acl: ['esl_clients'], defaultedPassword: false });
    expect(conf.route('5000').map(([app]) => app)).toEqual(['set', 'set', 'set', 'set', 'set', 'answer', 'park']);
    expect(conf.route('5001')).toEqual([['hangup', 'NO_ROUTE_DESTINATION']]);
    expect(conf.log.filter((l) => l.level !== 'INFO')).toEqual([]);
  });

  test('an ordinary comment does not hide a set line; a <!--# --> comment is the preprocessor\'s own', () => {
    const dir = confDir({
      'freeswitch.xml': '<document>\n<!--\n  example: <X-PRE-PROCESS cmd="set" data="shown=ran"/>\n-->\n<!--#set "hashed=yes"-->\n<a v="$${shown}$${hashed}"/>\n</document>\n',
    });
    const r = preprocess({ confDir: dir });
    expect(r.variables.get('shown')).toBe('ran');
    expect(r.variables.get('hashed')).toBe('yes');
    // The whole line holding the command is dropped, the rest of the comment stays.
    expect(r.text).toBe('<document>\n<!--\n-->\n\n<a v="ranyes"/>\n</document>\n');
  });

  test('a line mentioning X-PRE-PROCESS without its "<" is dropped whole, and so is a line holding <include> or <?', () => {
    const dir = confDir({ 'freeswitch.xml': '<include><document>\n<d>\nsee X-PRE-PROCESS docs\n<? x ?>\n</d>\n</document>\n' });
    expect(preprocess({ confDir: dir }).text).toBe('<d>\n</d>\n</document>\n');
  });
});

describe('finding 2: set and env-set', () => {
  test('env-set name=VAR sets nothing: the event socket falls back to ClueCon on 127.0.0.1, as mod_event_socket does', () => {
    const before = fs.readFileSync(path.join(__dirname, 'fixtures', 'care-ivr.before.xml'), 'utf8').replace(/^(\s*Variables[^\n]*)X-PRE-PROCESS[^\n]*$/m, '$1');
    const conf = loadFreeswitchConfig({ confDir: existingSwitch(before), env: { ESL_PASSWORD: 'a-good-password', ESL_LISTEN_IP: '0.0.0.0' } });
    expect(conf.variables.get('esl_password')).toBeUndefined();
    expect(conf.eventSocket).toMatchObject({ password: 'ClueCon', listenIp: '127.0.0.1', defaultedPassword: true, defaultedListenIp: true });
  });

  test('env-set name=$VAR copies the variable; an unset one sets nothing; set trims around "=" and disables ${', () => {
    const dir = confDir({
      'freeswitch.xml':
        '<document>\n' +
        '<X-PRE-PROCESS cmd="env-set" data="a=$FROM_ENV"/>\n' +
        '<X-PRE-PROCESS cmd="env-set" data="b=$NOT_SET"/>\n' +
        '<X-PRE-PROCESS cmd="env-set" data="c=FROM_ENV"/>\n' +
        '<x-pre-process CMD="Set" Data="d  =   spaced "/>\n' +
        '<X-PRE-PROCESS cmd="set" data="e=${late}"/>\n' +
        '<X-PRE-PROCESS cmd="set" data="noequals"/>\n' +
        '<X-PRE-PROCESS cmd="set" data="f=$${a}-$${missing}"/>\n' +
        '<v x="$${A}" y="$${unterminated"/>\n' +
        '</document>\n',
    });
    const r = preprocess({ confDir: dir, env: { FROM_ENV: 'from env' } });
    expect(r.variables.get('a')).toBe('from env');
    expect(r.variables.get('b')).toBeUndefined();
    expect(r.variables.get('c')).toBeUndefined();
    expect(r.variables.get('d')).toBe('spaced ');
    expect(r.variables.get('e')).toBe('%{late}');
    expect(r.variables.get('noequals')).toBeUndefined();
    expect(r.variables.get('f')).toBe('from env-');
    expect(r.text).toContain('<v x="from env" y="$${unterminated"/>');
    expect(r.log).toContainEqual({ level: 'ERROR', message: `Error [unterminated \${var}] in file ${dir}/freeswitch.xml line 9` });
  });

  test('the environment of the test process never leaks into the model', () => {
    process.env.ESL_PASSWORD_LEAK_CHECK = 'leaked';
    try {
      const dir = confDir({ 'freeswitch.xml': '<document>\n<X-PRE-PROCESS cmd="env-set" data="x=$ESL_PASSWORD_LEAK_CHECK"/>\n</document>\n' });
      expect(preprocess({ confDir: dir }).variables.get('x')).toBeUndefined();
    } finally {
      delete process.env.ESL_PASSWORD_LEAK_CHECK;
    }
  });
});

describe('include', () => {
  test('globs relative to the including file, in sorted order; a pattern matching nothing is only an INFO line', () => {
    const dir = confDir({
      'freeswitch.xml': '<document>\n<X-PRE-PROCESS cmd="include" data="sub/*.xml"/>\n<X-PRE-PROCESS cmd="include" data="none/*.xml"/>\n</document>\n',
      'sub/b.xml': '<b/>\n<X-PRE-PROCESS cmd="include" data="deeper/c.xml"/>\n',
      'sub/a.xml': '<a/>\n',
      'sub/.hidden.xml': '<hidden/>\n',
      'sub/notes.txt': '<txt/>\n',
      'sub/deeper/c.xml': '<c/>\n',
    });
    const r = preprocess({ confDir: dir });
    expect(r.text).toBe('<document>\n<a/>\n<b/>\n<c/>\n</document>\n');
    expect(r.log).toEqual([{ level: 'INFO', message: `No files to include at ${dir}/none/*.xml` }]);
    expect(globPaths(`${dir}/sub/[ab].xml`)).toEqual([`${dir}/sub/a.xml`, `${dir}/sub/b.xml`]);
  });

  test('two files including each other stop at depth 100 with the recursion message', () => {
    const dir = confDir({
      'freeswitch.xml': '<document>\n<X-PRE-PROCESS cmd="include" data="a.xml"/>\n</document>\n',
      'a.xml': '<a/>\n<X-PRE-PROCESS cmd="include" data="b.xml"/>\n',
      'b.xml': '<b/>\n<X-PRE-PROCESS cmd="include" data="a.xml"/>\n',
    });
    const r = preprocess({ confDir: dir });
    expect(r.log).toEqual([{ level: 'ERROR', message: `Error including ${dir}/a.xml (Maximum recursion limit reached)` }]);
    expect(r.text.match(/<a\/>/g)).toHaveLength(50);
    expect(r.text.match(/<b\/>/g)).toHaveLength(50);
  });

  test('a missing root file is FreeSWITCH\'s "Cannot Open log directory or XML Root!"', () => {
    expect(() => loadFreeswitchConfig({ confDir: path.join(tmp, 'nothing') })).toThrow('Cannot Initialize [Cannot Open log directory or XML Root!]');
  });

  test('commands that run programs at load time are refused by the model, with the file named', () => {
    const dir = confDir({ 'freeswitch.xml': '<document>\n<X-PRE-PROCESS cmd="exec-set" data="x=hostname"/>\n</document>\n' });
    expect(() => preprocess({ confDir: dir })).toThrow(/freeswitch\.xml: X-PRE-PROCESS cmd="exec-set" runs a command.*use set or env-set/);
  });
});

describe('XML parser: what FreeSWITCH accepts and how it words a refusal', () => {
  const error = (text: string) => {
    try {
      parseXml(text);
    } catch (err) {
      if (err instanceof XmlParseError) return err.message;
      throw err;
    }
    return 'parsed';
  };

  test.each([
    ['<a>\n<!-- one -- two -->\n</a>', '[error near line 2]: unclosed <!--'],
    ['<a>\n<!--\n<!-- nested -->\n-->\n</a>', '[error near line 2]: unclosed <!--'],
    ['<a>\n<b>\n</a>', '[error near line 3]: unexpected closing tag </a>'],
    // The position is just after the last markup, as switch_xml_err counts it.
    ['<a>\n<b>\n', '[error near line 2]: unclosed tag <b>'],
    ['<a/>\n<b/>', '[error near line 2]: markup outside of root element'],
    ['<a x="1/>', '[error near line 1]: missing "'],
    // "<" after an attribute starts another attribute, then "/" wants ">" (switch_xml_parse_str's own reading).
    ['<a><b x="1"</a>', '[error near line 1]: missing >'],
    ['<a>\n<!x></a>', '[error near line 2]: unexpected <'],
    ['just text', '[error near line 1]: root tag missing'],
    ['<a><![CDATA[x</a>', '[error near line 1]: unclosed <![CDATA['],
    ['<?xml version="1.0"?>\n<!-- fine -->\n<a b=\'1\' c="&lt;&amp;&#65;"><c/>text</a>\n', 'parsed'],
  ])('%j → %s', (text, expected) => {
    expect(error(text)).toBe(expected);
  });

  test('attributes are decoded, children and text kept', () => {
    const root = parseXml('<a b=\'1\' c="&lt;&amp;&#65;&#x42;"><c/>te&gt;xt</a>');
    expect(root).toMatchObject({ name: 'a', attrs: { b: '1', c: '<&AB' }, text: 'te>xt', children: [{ name: 'c', attrs: {}, children: [] }] });
  });
});
