/**
 * A model of how FreeSWITCH 1.10 reads its XML configuration (src/switch_xml.c), so that a configuration mistake
 * fails a test the way it fails a real switch:
 *
 * 1. preprocess(): the root file is read LINE BY LINE before any XML parsing. On every line `$${var}` is replaced
 *    by the global variable's value (nothing when unset); a line holding `<include>`, `</include>` or `<?` is dropped;
 *    a line holding `<X-PRE-PROCESS …/>` is executed and dropped, even inside an ordinary `<!-- -->` comment
 *    (only `<!--#…-->` comments are known to the preprocessor); `include` expands a glob relative to the including
 *    file's folder, recursing up to depth 100 ("Maximum recursion limit reached"), a missing file is only an INFO.
 *    `set name=value` sets a global variable; `env-set name=$VAR` copies the environment, and only when the value
 *    starts with `$` (`name=VAR` sets nothing).
 * 2. parseXml(): the preprocessed text is parsed by FreeSWITCH's ezxml-derived parser, with its error messages
 *    (`[error near line N]: unclosed <!--`); FreeSWITCH prints `Cannot Initialize [<error>]` and exits.
 *
 * Written from the C source's behaviour, not copied from it. Shell commands (`exec`, `exec-set`) and STUN
 * (`stun-set`) are not run by the model: a configuration that uses them is refused with a clear error.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface PreprocessLogLine {
  level: 'ERROR' | 'INFO' | 'CRIT';
  message: string;
}

export interface PreprocessOptions {
  /** SWITCH_GLOBAL_dirs.conf_dir (`freeswitch -conf DIR`): where the root file is and relative includes start. */
  confDir: string;
  /** The root file, relative to confDir. Default freeswitch.xml. */
  file?: string;
  /** What getenv() sees (env-set). Default: an empty environment, so tests never depend on the caller's shell. */
  env?: Record<string, string | undefined>;
  /** Global variables FreeSWITCH sets before reading its configuration (hostname, local_ip_v4, conf_dir…). */
  variables?: Record<string, string>;
}

/** Global variables: names are case-insensitive, as switch_event headers are. */
export class GlobalVariables {
  private readonly vars = new Map<string, { name: string; value: string }>();

  get(name: string): string | undefined {
    return this.vars.get(name.toLowerCase())?.value;
  }

  /** switch_core_set_variable: a value holding `${` is stored with that `$` turned into `%` (no late expansion). */
  set(name: string, value: string): void {
    this.vars.set(name.toLowerCase(), { name, value: disableVarRefs(value) });
  }

  entries(): Array<[string, string]> {
    return [...this.vars.values()].map(({ name, value }) => [name, value]);
  }
}

/** switch_string_var_check(value, disable=TRUE): `$` followed (through backslashes) by `{` becomes `%`. */
function disableVarRefs(value: string): string {
  const chars = [...value];
  let dollar = -1;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    if (c === '$') dollar = i;
    else if (dollar >= 0) {
      if (c === '{') {
        chars[dollar] = '%';
        dollar = -1;
      } else if (c !== '\\') dollar = -1;
    }
  }
  return chars.join('');
}

export interface PreprocessResult {
  /** What FreeSWITCH writes to LOGDIR/freeswitch.xml.fsxml and then parses. */
  text: string;
  variables: GlobalVariables;
  log: PreprocessLogLine[];
  /** False when the root file itself could not be read ("Cannot Open log directory or XML Root!"). */
  rootRead: boolean;
}

const MAX_DEPTH = 100;

/** Runs FreeSWITCH's preprocessor over the root file of `confDir`. */
export function preprocess(opts: PreprocessOptions): PreprocessResult {
  const variables = new GlobalVariables();
  for (const [k, v] of Object.entries(opts.variables ?? {})) variables.set(k, v);
  const state: State = { out: [], log: [], vars: variables, env: opts.env ?? {} };
  const root = path.join(opts.confDir, opts.file ?? 'freeswitch.xml');
  const ok = preprocessFile(state, opts.confDir, root, 0) >= 0;
  return { text: state.out.join(''), variables, log: state.log, rootRead: ok };
}

interface State {
  out: string[];
  log: PreprocessLogLine[];
  vars: GlobalVariables;
  env: Record<string, string | undefined>;
}

/** switch_fp_read_dline: a line ends after each '\r' or '\n' (a CRLF file therefore has empty "\n" lines). */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || c === '\r') {
      lines.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** The position of the `}` that closes the `{` at `open` (nested braces counted), or -1. */
function endParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '{') depth++;
    else if (s[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** expand_vars: `$${name}` → the global variable (or nothing); an unterminated one is kept and reported. */
function expandVars(line: string, vars: GlobalVariables): { text: string; err?: string } {
  if (!line.includes('$${')) return { text: line };
  let out = '';
  let err: string | undefined;
  let i = 0;
  while (i < line.length) {
    if (line.startsWith('$${', i)) {
      const end = endParen(line, i + 2);
      if (end >= 0) {
        out += vars.get(line.slice(i + 3, end)) ?? '';
        i = end + 1;
        continue;
      }
      err = 'unterminated ${var}';
    }
    out += line[i];
    i++;
  }
  return err === undefined ? { text: out } : { text: out, err };
}

/** The text between the first `"` after `key`…`=` and the next `"`, searching from `from`, case-insensitively. */
function quotedAfter(s: string, key: string, from: number): { value: string; end: number } | undefined {
  const lower = s.toLowerCase();
  const k = lower.indexOf(key, from);
  if (k < 0) return undefined;
  const eq = s.indexOf('=', k);
  if (eq < 0) return undefined;
  const q = s.indexOf('"', eq);
  if (q < 0) return undefined;
  const close = s.indexOf('"', q + 1);
  // Without a closing quote FreeSWITCH takes the rest of the line, and finds no `data` after it.
  if (close < 0) return { value: s.slice(q + 1), end: -1 };
  return { value: s.slice(q + 1, close), end: close + 1 };
}

/** `name = value` as `set` splits it: spaces trimmed at the end of the name and the start of the value. */
function splitAssignment(data: string): { name: string; value: string } | undefined {
  const eq = data.indexOf('=');
  if (eq < 0) return undefined;
  return { name: data.slice(0, eq).replace(/ +$/, ''), value: data.slice(eq + 1).replace(/^ +/, '') };
}

function runCommand(state: State, cwd: string, file: string, cmd: string, data: string, depth: number, fromComment: boolean): void {
  switch (cmd.toLowerCase()) {
    case 'set': {
      const a = splitAssignment(data);
      if (a) state.vars.set(a.name, a.value);
      return;
    }
    case 'env-set': {
      // `<!--#env-set …-->` is not a command FreeSWITCH knows: only the X-PRE-PROCESS form reads the environment.
      if (fromComment) return;
      const eq = data.indexOf('=');
      if (eq < 0) return;
      const value = data.slice(eq + 1);
      // preprocess_env_set: the value must start with `$`; `name=VAR` is silently ignored.
      if (!value.startsWith('$')) return;
      const env = state.env[value.slice(1)];
      if (env !== undefined) state.vars.set(data.slice(0, eq), env);
      return;
    }
    case 'include':
      includeGlob(state, cwd, data, depth + 1);
      return;
    case 'exec':
    case 'exec-set':
    case 'stun-set':
      throw new Error(
        `${file}: X-PRE-PROCESS cmd="${cmd}" runs a command at load time; the FreeSWITCH configuration model does not run commands: use set or env-set`,
      );
    default:
      return; // unknown commands are ignored by FreeSWITCH too
  }
}

function preprocessFile(state: State, cwd: string, file: string, depth: number): number {
  if (depth > MAX_DEPTH) return -1;
  let content: string;
  try {
    const stat = fs.statSync(file);
    // fopen() of a folder succeeds and reads nothing.
    if (stat.isDirectory()) return 0;
    content = fs.readFileSync(file, 'latin1');
  } catch (err) {
    state.log.push({ level: 'ERROR', message: `Couldn't open ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` });
    return -1;
  }
  let inHashComment = false;
  let lineNo = 0;
  for (const raw of splitLines(content)) {
    lineNo++;
    const expanded = expandVars(raw, state.vars);
    if (expanded.err) state.log.push({ level: 'ERROR', message: `Error [${expanded.err}] in file ${file} line ${lineNo}` });
    let bp = expanded.text;
    // Tested on the raw line: wrapper tags and `<?xml …?>` lines are dropped whole, whatever else they hold.
    if (raw.includes('<include>') || raw.includes('</include>') || raw.includes('<?')) continue;
    if (inHashComment) {
      const end = raw.indexOf('-->');
      if (end < 0) continue;
      inHashComment = false;
      bp = raw.slice(end + 3);
    }
    const at = bp.toLowerCase().indexOf('x-pre-process');
    if (at >= 0) {
      // Not preceded by '<': the line is dropped; otherwise it is executed and dropped (text around it included).
      if (at === 0 || bp[at - 1] !== '<') continue;
      const cmd = quotedAfter(bp, 'cmd', at);
      if (!cmd || cmd.end < 0) continue;
      const data = quotedAfter(bp, 'data', cmd.end);
      if (!data) continue;
      runCommand(state, cwd, file, cmd.value, data.value, depth, false);
      continue;
    }
    const hash = bp.indexOf('<!--#');
    if (hash >= 0) {
      state.out.push(bp.slice(0, hash));
      const end = bp.indexOf('-->', hash);
      let body: string;
      if (end >= 0) {
        state.out.push(bp.slice(end + 3));
        body = bp.slice(hash + 5, end);
      } else {
        inHashComment = true;
        body = bp.slice(hash + 5);
      }
      body = body.split(/[\r\n]/)[0] ?? '';
      const sp = body.indexOf(' ');
      if (sp >= 0) {
        const cmd = body.slice(0, sp);
        let arg = body.slice(sp + 1);
        const q = arg.indexOf('"');
        const qq = q >= 0 ? arg.indexOf('"', q + 1) : -1;
        if (qq >= 0) arg = arg.slice(q + 1, qq);
        runCommand(state, cwd, file, cmd, arg, depth, true);
      }
      continue;
    }
    state.out.push(bp);
  }
  return 0;
}

/** glob(3) on one path segment: `*`, `?`, `[…]`; a leading dot is matched only by a leading dot. */
function segmentRegex(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] ?? '';
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) re += '\\[';
      else {
        let body = segment.slice(i + 1, close);
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        re += `[${body.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

const MAGIC = /[*?[]/;

/** The paths a glob pattern matches, sorted like glob(3) without GLOB_NOSORT; existing paths only. */
export function globPaths(pattern: string): string[] {
  const absolute = pattern.startsWith('/');
  const parts = pattern.split('/').filter((p, i) => p !== '' || i === 0);
  let bases = [absolute ? '/' : '.'];
  for (const part of absolute ? parts.slice(1) : parts) {
    if (part === '') continue;
    const next: string[] = [];
    for (const base of bases) {
      if (!MAGIC.test(part)) {
        const p = path.join(base, part);
        if (fs.existsSync(p)) next.push(p);
        continue;
      }
      let names: string[];
      try {
        names = fs.readdirSync(base);
      } catch {
        continue;
      }
      const re = segmentRegex(part);
      for (const n of names.sort()) if ((!n.startsWith('.') || part.startsWith('.')) && re.test(n)) next.push(path.join(base, n));
    }
    bases = next;
  }
  return bases.sort();
}

function includeGlob(state: State, cwd: string, pattern: string, depth: number): void {
  const full = pattern.startsWith('/') ? pattern : `${cwd}/${pattern}`;
  const matches = globPaths(full);
  if (matches.length === 0) {
    state.log.push({ level: 'INFO', message: `No files to include at ${full}` });
    return;
  }
  for (const file of matches) {
    if (preprocessFile(state, path.dirname(file), file, depth) < 0 && depth > MAX_DEPTH) {
      state.log.push({ level: 'ERROR', message: `Error including ${full} (Maximum recursion limit reached)` });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The XML parser (switch_xml_parse_str): what it accepts and how it words a refusal.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
  /** 1-based line of the element's `<` in the preprocessed text. */
  line: number;
}

export class XmlParseError extends Error {
  override name = 'XmlParseError';
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`[error near line ${line}]: ${reason}`);
  }
}

const WS = new Set([' ', '\t', '\r', '\n']);

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[e] ?? '';
  });
}

/** Parses preprocessed text as FreeSWITCH does; throws XmlParseError with FreeSWITCH's wording. */
export function parseXml(text: string): XmlElement {
  const lineAt = (pos: number) => {
    let n = 1;
    for (let i = 0; i < pos && i < text.length; i++) if (text[i] === '\n') n++;
    return n;
  };
  const fail = (pos: number, reason: string): never => {
    throw new XmlParseError(lineAt(pos), reason);
  };
  if (text.length === 0) fail(0, 'root tag missing');
  let s = text.indexOf('<');
  if (s < 0) fail(text.length, 'root tag missing');
  let root: XmlElement | undefined;
  const stack: XmlElement[] = [];
  let rootClosed = false;
  let d = s;
  for (;;) {
    d = s + 1;
    const c = text[d] ?? '';
    if (/[A-Za-z_:]/.test(c) || c.charCodeAt(0) > 127) {
      if (rootClosed) fail(d, 'markup outside of root element');
      let i = d;
      while (i < text.length && !WS.has(text[i]!) && text[i] !== '/' && text[i] !== '>') i++;
      const el: XmlElement = { name: text.slice(d, i), attrs: {}, children: [], text: '', line: lineAt(s) };
      while (i < text.length && WS.has(text[i]!)) i++;
      while (i < text.length && text[i] !== '/' && text[i] !== '>') {
        const nameStart = i;
        while (i < text.length && !WS.has(text[i]!) && !'=/>'.includes(text[i]!)) i++;
        const attrName = text.slice(nameStart, i);
        let value = '';
        if (text[i] === '=' || WS.has(text[i] ?? '')) {
          i++;
          while (i < text.length && (WS.has(text[i]!) || text[i] === '=')) i++;
          const q = text[i];
          if (q === '"' || q === "'") {
            const close = text.indexOf(q, i + 1);
            if (close < 0) fail(d, `missing ${q}`);
            value = decodeEntities(text.slice(i + 1, close));
            i = close + 1;
          }
        }
        el.attrs[attrName] = value;
        while (i < text.length && WS.has(text[i]!)) i++;
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else root = el;
      if (text[i] === '/') {
        if (text[i + 1] !== '>') fail(d, 'missing >');
        s = i + 1;
        if (!parent) rootClosed = true;
      } else if (text[i] === '>') {
        stack.push(el);
        s = i;
      } else fail(d, 'missing >');
    } else if (c === '/') {
      const nameStart = d + 1;
      let i = nameStart;
      while (i < text.length && !WS.has(text[i]!) && text[i] !== '>') i++;
      if (i >= text.length) fail(nameStart, 'missing >');
      const name = text.slice(nameStart, i);
      const cur = stack[stack.length - 1];
      if (!cur || cur.name !== name) fail(i, `unexpected closing tag </${name}>`);
      stack.pop();
      if (stack.length === 0) rootClosed = true;
      while (i < text.length && WS.has(text[i]!)) i++;
      s = i;
    } else if (text.startsWith('!--', d)) {
      // The first `--` after `<!--` must be the end of the comment: a nested `<!--` or a `--` inside is refused.
      const dash = text.indexOf('--', d + 3);
      if (dash < 0 || (dash + 2 < text.length && text[dash + 2] !== '>') || dash + 2 >= text.length) fail(d, 'unclosed <!--');
      s = dash + 2;
    } else if (text.startsWith('![CDATA[', d)) {
      const end = text.indexOf(']]>', d);
      if (end < 0) fail(d, 'unclosed <![CDATA[');
      const cur = stack[stack.length - 1];
      if (cur) cur.text += text.slice(d + 8, end);
      s = end + 2;
    } else if (text.startsWith('!DOCTYPE', d)) {
      let depth = 0;
      let i = d;
      for (; i < text.length; i++) {
        if (text[i] === '[') depth++;
        else if (text[i] === ']') depth--;
        else if (text[i] === '>' && depth <= 0) break;
      }
      if (i >= text.length) fail(d, 'unclosed <!DOCTYPE');
      s = i;
    } else if (c === '?') {
      const end = text.indexOf('?>', d + 1);
      if (end < 0) fail(d, 'unclosed <?');
      s = end + 1;
    } else fail(d, 'unexpected <');

    // `s` is on the last character of the markup; character content runs to the next `<`.
    const next = text.indexOf('<', s + 1);
    if (next < 0) {
      d = s + 1;
      break;
    }
    const cur = stack[stack.length - 1];
    if (cur && next > s + 1) cur.text += decodeEntities(text.slice(s + 1, next));
    s = next;
  }
  if (stack.length === 0 && root) return root;
  if (!root) return fail(d, 'root tag missing');
  return fail(d, `unclosed tag <${stack[stack.length - 1]!.name}>`);
}

/** Children of `el` named `name`. */
export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

export function childNamed(el: XmlElement | undefined, name: string, attr?: [string, string]): XmlElement | undefined {
  return childrenNamed(el, name).find((c) => !attr || c.attrs[attr[0]] === attr[1]);
}
