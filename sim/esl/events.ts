/**
 * Builds events with the header layout FreeSWITCH 1.10 uses (checked against the captured frames in
 * shared/esl-frames): the common block, then for channel events the channel block and caller profile, then the
 * channel variables, then the event's own headers. DTMF carries no variables; CUSTOM starts with Event-Subclass;
 * CHANNEL_HANGUP_COMPLETE repeats Hangup-Cause.
 */
import type { WireEvent } from './wire';

export interface CoreIdentity {
  coreUuid: string;
  hostname: string;
  ipv4: string;
  ipv6: string;
}

export interface CallingSite {
  file: string;
  func: string;
  line: number;
}

/** Where FreeSWITCH raises each event (Event-Calling-* headers of the captured frames). */
export const SITES = {
  CHANNEL_CREATE: { file: 'switch_core_state_machine.c', func: 'switch_core_session_run', line: 626 },
  CHANNEL_ANSWER: { file: 'switch_channel.c', func: 'switch_channel_perform_mark_answered', line: 3846 },
  CHANNEL_PARK: { file: 'switch_ivr.c', func: 'switch_ivr_park', line: 1002 },
  CHANNEL_UNPARK: { file: 'switch_ivr.c', func: 'switch_ivr_park', line: 1213 },
  CHANNEL_EXECUTE: { file: 'switch_core_session.c', func: 'switch_core_session_exec', line: 2944 },
  CHANNEL_EXECUTE_COMPLETE: { file: 'switch_core_session.c', func: 'switch_core_session_exec', line: 2967 },
  CHANNEL_HANGUP: { file: 'switch_channel.c', func: 'switch_channel_perform_hangup', line: 3445 },
  CHANNEL_HANGUP_COMPLETE: { file: 'switch_core_state_machine.c', func: 'switch_core_session_reporting_state', line: 943 },
  CHANNEL_DESTROY: { file: 'switch_core_session.c', func: 'switch_core_session_perform_destroy', line: 1584 },
  CHANNEL_BRIDGE: { file: 'switch_ivr_bridge.c', func: 'switch_ivr_multi_threaded_bridge', line: 1689 },
  CHANNEL_UNBRIDGE: { file: 'switch_ivr_bridge.c', func: 'switch_ivr_multi_threaded_bridge', line: 1879 },
  CHANNEL_ORIGINATE: { file: 'switch_core_state_machine.c', func: 'switch_core_session_run', line: 632 },
  DTMF: { file: 'switch_channel.c', func: 'switch_channel_dequeue_dtmf', line: 677 },
  PLAYBACK_START: { file: 'switch_ivr_play_say.c', func: 'switch_ivr_play_file', line: 1646 },
  PLAYBACK_STOP: { file: 'switch_ivr_play_say.c', func: 'switch_ivr_play_file', line: 2020 },
  RECORD_START: { file: 'switch_ivr_play_say.c', func: 'switch_ivr_record_file_event', line: 767 },
  RECORD_STOP: { file: 'switch_ivr_play_say.c', func: 'switch_ivr_record_file_event', line: 1030 },
  BUG_RECORD_START: { file: 'switch_ivr_async.c', func: 'record_callback', line: 1481 },
  BUG_RECORD_STOP: { file: 'switch_ivr_async.c', func: 'send_record_stop_event', line: 1240 },
  BACKGROUND_JOB: { file: 'mod_event_socket.c', func: 'api_exec', line: 1572 },
  API: { file: 'switch_loadable_module.c', func: 'switch_api_execute', line: 2954 },
  HEARTBEAT: { file: 'switch_core.c', func: 'send_heartbeat', line: 95 },
  SENDEVENT: { file: 'mod_event_socket.c', func: 'parse_command', line: 2283 },
  CC_MEMBER_QUEUE_START: { file: 'mod_callcenter.c', func: 'callcenter_function', line: 3113 },
  CC_BRIDGE_AGENT_START: { file: 'mod_callcenter.c', func: 'outbound_agent_thread_run', line: 1934 },
  CC_MEMBER_QUEUE_END: { file: 'mod_callcenter.c', func: 'outbound_agent_thread_run', line: 2098 },
  DETECTED_SPEECH: { file: 'switch_ivr_async.c', func: 'speech_thread', line: 4664 },
} satisfies Record<string, CallingSite>;

/** Event-Date-Local as FreeSWITCH prints it (server local time, no zone). */
function localDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function nowMicros(): string {
  return String(Date.now() * 1000 + Math.floor((performance.now() % 1) * 1000));
}

export function commonHeaders(core: CoreIdentity, name: string, site: CallingSite, seq: number, subclass?: string): Array<[string, string]> {
  const now = new Date();
  const h: Array<[string, string]> = [];
  if (subclass) h.push(['Event-Subclass', subclass]);
  h.push(
    ['Event-Name', name],
    ['Core-UUID', core.coreUuid],
    ['FreeSWITCH-Hostname', core.hostname],
    ['FreeSWITCH-Switchname', core.hostname],
    ['FreeSWITCH-IPv4', core.ipv4],
    ['FreeSWITCH-IPv6', core.ipv6],
    ['Event-Date-Local', localDate(now)],
    ['Event-Date-GMT', now.toUTCString()],
    ['Event-Date-Timestamp', nowMicros()],
    ['Event-Calling-File', site.file],
    ['Event-Calling-Function', site.func],
    ['Event-Calling-Line-Number', String(site.line)],
    ['Event-Sequence', String(seq)],
  );
  return h;
}

/** What a channel contributes to its events (switch_channel_event_set_data). */
export interface ChannelView {
  uuid: string;
  channelName: string;
  state: string;
  stateNumber: number;
  callState: string;
  answerState: string;
  hangupCause?: string;
  direction: 'inbound' | 'outbound';
  readCodec: [string, number, number];
  writeCodec: [string, number, number];
  profile: {
    username: string;
    callerIdName: string;
    callerIdNumber: string;
    networkAddr: string;
    destinationNumber: string;
    source: string;
    context: string;
    createdTime: string;
    answeredTime: string;
    hangupTime: string;
    transferTime: string;
    bridgedTime: string;
  };
  /** Channel variables in their insertion order. */
  variables: Map<string, string>;
}

export function channelHeaders(ch: ChannelView): Array<[string, string]> {
  const p = ch.profile;
  const h: Array<[string, string]> = [
    ['Channel-State', ch.state],
    ['Channel-Call-State', ch.callState],
    ['Channel-State-Number', String(ch.stateNumber)],
    ['Channel-Name', ch.channelName],
    ['Unique-ID', ch.uuid],
    ['Call-Direction', ch.direction],
    ['Presence-Call-Direction', ch.direction],
    ['Channel-HIT-Dialplan', 'true'],
    ['Channel-Call-UUID', ch.uuid],
    ['Answer-State', ch.answerState],
  ];
  if (ch.hangupCause) h.push(['Hangup-Cause', ch.hangupCause]);
  h.push(
    ['Channel-Read-Codec-Name', ch.readCodec[0]],
    ['Channel-Read-Codec-Rate', String(ch.readCodec[1])],
    ['Channel-Read-Codec-Bit-Rate', String(ch.readCodec[2])],
    ['Channel-Write-Codec-Name', ch.writeCodec[0]],
    ['Channel-Write-Codec-Rate', String(ch.writeCodec[1])],
    ['Channel-Write-Codec-Bit-Rate', String(ch.writeCodec[2])],
    ['Caller-Direction', ch.direction],
    ['Caller-Logical-Direction', ch.direction],
    ['Caller-Username', p.username],
    ['Caller-Dialplan', 'XML'],
    ['Caller-Caller-ID-Name', p.callerIdName],
    ['Caller-Caller-ID-Number', p.callerIdNumber],
    ['Caller-Orig-Caller-ID-Name', p.callerIdName],
    ['Caller-Orig-Caller-ID-Number', p.callerIdNumber],
    ['Caller-Network-Addr', p.networkAddr],
    ['Caller-ANI', p.callerIdNumber],
    ['Caller-Destination-Number', p.destinationNumber],
    ['Caller-Unique-ID', ch.uuid],
    ['Caller-Source', p.source],
    ['Caller-Context', p.context],
    ['Caller-Channel-Name', ch.channelName],
    ['Caller-Profile-Index', '1'],
    ['Caller-Profile-Created-Time', p.createdTime],
    ['Caller-Channel-Created-Time', p.createdTime],
    ['Caller-Channel-Answered-Time', p.answeredTime],
    ['Caller-Channel-Progress-Time', '0'],
    ['Caller-Channel-Progress-Media-Time', '0'],
    ['Caller-Channel-Hangup-Time', p.hangupTime],
    ['Caller-Channel-Transfer-Time', p.transferTime],
    ['Caller-Channel-Resurrect-Time', '0'],
    ['Caller-Channel-Bridged-Time', p.bridgedTime],
    ['Caller-Channel-Last-Hold', '0'],
    ['Caller-Channel-Hold-Accum', '0'],
    ['Caller-Screen-Bit', 'true'],
    ['Caller-Privacy-Hide-Name', 'false'],
    ['Caller-Privacy-Hide-Number', 'false'],
  );
  return h;
}

export interface ChannelEventOptions {
  /** Headers that follow the variables (Application-*, Playback-*, Record-*, CC-*) or the profile for DTMF. */
  extra?: Array<[string, string]>;
  /** DTMF events carry no variables. */
  withVariables?: boolean;
  subclass?: string;
  body?: string;
}

export function channelEvent(
  core: CoreIdentity,
  name: string,
  site: CallingSite,
  seq: number,
  ch: ChannelView,
  opts: ChannelEventOptions = {},
): WireEvent {
  const headers = commonHeaders(core, name, site, seq, opts.subclass);
  // CHANNEL_HANGUP_COMPLETE: the reporting state adds Hangup-Cause before the channel data, which adds it again.
  if (name === 'CHANNEL_HANGUP_COMPLETE' && ch.hangupCause) headers.push(['Hangup-Cause', ch.hangupCause]);
  headers.push(...channelHeaders(ch));
  if (opts.withVariables !== false) {
    for (const [k, v] of ch.variables) headers.push([`variable_${k}`, v]);
  }
  if (opts.extra) headers.push(...opts.extra);
  const ev: WireEvent = { headers };
  if (opts.body !== undefined) ev.body = opts.body;
  return ev;
}
