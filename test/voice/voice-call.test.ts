/**
 * A call over the whole voice path: ESL simulator (FreeSWITCH) ⇄ esl-bridge → session workflow (real Temporal dev
 * server) → voice worker ⇄ ESL simulator, and speech through record → RECORD_STOP → transcribe → OpenAI simulator.
 */
import { loadSession } from '../../api/console/reader';
import { EslBridge } from '../../esl-bridge/bridge';
import { EslConnection } from '../../lib/esl/connection';
import { SpokenTranscripts } from '../../cli/simulate/drivers/voice';
import type { SimCall } from '../../sim/esl';
import { traceQuery } from '../../workflows/session-api';
import { eventsOf, listeningIn, speechWav, startVoiceStack, until, type VoiceStack } from './support';

const MACHINE = `
machine: voice_test
version: "1.0.0"
locale: fr-FR
timezone: Europe/Paris
entry: v.menu
globals:
  max_noinput: 2
  max_nomatch: 2
  noinput_timeout_sec: 5
  exhausted_next: v.bye
  handoff:
    enabled: true
    queue_id: "care_queue_1"
    prompt: "Je vous passe un conseiller."
  endpoints:
    save: "POST /voice/{call}/saves"
intents:
  book: { utterances: ["rendez-vous"], dtmf: ["1"] }
  save: { utterances: ["enregistrer"], dtmf: ["2"] }
  agent: { utterances: ["conseiller"], dtmf: ["0"] }
states:
  v.menu:
    type: prompt_and_listen
    prompt: "Bonjour et bienvenue. Pour prendre rendez-vous, tapez 1 ou dites rendez-vous. Pour enregistrer, tapez 2. Pour parler à un conseiller, tapez 0."
    noinput: { max: 2, next: v.bye }
    routes:
      - when_intent: book
        next: v.code
      - when_intent: save
        next: v.save
      - when_intent: agent
        next: v.agent
  v.code:
    type: prompt_and_listen
    prompt: "Tapez votre code à quatre chiffres."
    collect: { mode: otp, length: 4, allow_dtmf: true, into: code }
    noinput: { max: 2, next: v.bye }
    next: v.bye
  v.save:
    type: action_then_prompt
    action:
      call: \${globals.endpoints.save}
      path: { call: "{{ctx.call_id}}" }
      body: { channel: "{{ctx.channel}}" }
      on_success: { prompt: "C'est enregistré.", next: v.bye }
      on_fail: { prompt: "L'enregistrement a échoué.", next: v.bye }
  v.agent:
    type: handoff
    enabled: \${globals.handoff.enabled}
    queue_id: \${globals.handoff.queue_id}
    prompt: \${globals.handoff.prompt}
    on_fail: { prompt: "Aucun conseiller n'est disponible.", next: v.bye }
  v.bye:
    type: prompt_end
    prompt: "Au revoir."
`;

let stack: VoiceStack;
let agentAvailable = true;
// Prompts play at a tenth of their length: the menu (about 9 s of espeak-ng audio) lasts about 0.9 s.
const TIME_SCALE = 0.1;

beforeAll(async () => {
  stack = await startVoiceStack(MACHINE, {
    timeScale: TIME_SCALE,
    // Commands spread over two sockets: per-call order must hold across the pool.
    workerConnections: 2,
    sim: { callcenter: () => (agentAvailable ? { agent: 'agent_7', answerAfterMs: 300 } : { maxWaitMs: 2000 }) },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function placeCall(): Promise<SimCall> {
  return stack.node.sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: stack.node.destination });
}

async function routes(call: SimCall) {
  const { events } = await stack.handle(call).query(traceQuery, 0);
  return events.filter((e) => e.kind === 'route');
}

function playbacks(call: SimCall) {
  return call.apps.filter((a) => a.app === 'playback');
}

test('DTMF routes the call; a 4-key code is collected; the goodbye is played and the IVR hangs up', async () => {
  const call = await placeCall();
  const menu = await listeningIn(stack, call, 'v.menu');
  expect(menu.lastPrompt).toMatch(/bienvenue/i);
  // The prompt was played as a synthesized WAV, then a recording (a media bug, not the record application) armed.
  expect(playbacks(call)).toHaveLength(1);
  expect(playbacks(call)[0]!.arg).toMatch(/tts\/[0-9a-f]{40}\.wav$/);
  expect(stack.node.sim.commands.some((c) => c.startsWith(`api uuid_record ${call.uuid} start `) && c.includes(`/recordings/${call.uuid}/`))).toBe(true);

  const answeredBefore = stack.node.bridge.stats.turnInputs.dtmf;
  await call.press('1');
  await listeningIn(stack, call, 'v.code');
  await call.press('4321');
  const result = await stack.handle(call).result();
  expect(result).toMatchObject({ outcome: 'completed', state: 'v.bye' });
  // A key pressed while the session listened answered the turn waiting for it ('1', then '4'); the keys typed
  // ahead of the next turn went as signals, after it: 3 signals, and maybe the hang-up's, instead of one per key.
  const history = await stack.handle(call).fetchHistory();
  expect(stack.node.bridge.stats.turnInputs.dtmf - answeredBefore).toBeGreaterThanOrEqual(2);
  expect((history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length).toBeLessThanOrEqual(4);
  await until('the IVR to hang up', () => call.hungUp);
  expect(call.hangupCause).toBe('NORMAL_CLEARING');
  const said = playbacks(call).map((a) => a.response);
  expect(said).toEqual(['FILE PLAYED', 'FILE PLAYED', 'FILE PLAYED']);
  // Keys pressed while recordings ran were not taken for speech.
  expect(stack.openai.transcriptions).toHaveLength(0);
  expect((await routes(call)).map((r) => r.route)).toEqual(['book']);
}, 30_000);

test('the operators’ console reads each turn of a call from the answer its voice turn carried', async () => {
  const call = await placeCall();
  await listeningIn(stack, call, 'v.menu');
  await call.press('1');
  await listeningIn(stack, call, 'v.code');
  await call.press('4');
  await until('the second key taken', async () => (await stack.view(call)).turn === 2 || undefined);
  await listeningIn(stack, call, 'v.code');
  await call.hangup();
  await stack.handle(call).result();
  const session = await loadSession(stack.client, `voice-${call.uuid}`);
  const turns = session!.timeline.turns;
  // The menu's key (the answer of its turn) and the hang-up in the code (a key of a code alone is not a step of
  // its own), each lined up with the time it arrived and the prompt that followed.
  expect(turns.map((t) => [t.state, t.heard.kind, t.result])).toEqual([
    ['v.menu', 'dtmf', 'route:book'],
    ['v.code', 'hangup', 'hangup'],
  ]);
  expect(turns[0]!.heard.value).toBe('1');
  const answered = (await stack.handle(call).fetchHistory()).events?.find((e) => e.activityTaskCompletedEventAttributes);
  expect(turns[0]!.at).toBe(new Date(Number(answered!.eventTime!.seconds) * 1000 + Math.floor((answered!.eventTime!.nanos ?? 0) / 1e6)).toISOString());
  expect(turns[0]!.latencyMs).toEqual(expect.any(Number));
}, 30_000);

test('barge-in: a key during the prompt stops it at once (PLAYBACK_STOP break) and routes', async () => {
  const call = await placeCall();
  await until('the menu prompt to start', () => eventsOf(stack, call, 'PLAYBACK_START').length === 1);
  await call.press('1', { durationMs: 40, gapMs: 0 });
  const stop = await until('PLAYBACK_STOP', () => eventsOf(stack, call, 'PLAYBACK_STOP')[0]);
  expect(stop.get('Playback-Status')).toBe('break');
  // Played less than its length (about 9 s simulated): the key broke it, the prompt did not end by itself.
  expect(Number(call.variables.get('playback_ms') ?? 'NaN')).toBeLessThan(5000);
  expect(stack.node.sim.commands.some((c) => c === `api uuid_break ${call.uuid}`)).toBe(true);
  await listeningIn(stack, call, 'v.code');
  expect((await routes(call)).map((r) => r.route)).toEqual(['book']);
  await call.hangup();
  expect((await stack.handle(call).result()).outcome).toBe('hangup');
}, 30_000);

test('speech: espeak-ng audio is recorded, transcribed with the state hints, and routes', async () => {
  const transcripts = new SpokenTranscripts(stack.openai);
  const call = await placeCall();
  transcripts.attach(call);
  await listeningIn(stack, call, 'v.menu');
  const before = stack.openai.transcriptions.length;
  transcripts.expect(call.uuid, 'je voudrais un rendez-vous');
  call.speak(await speechWav('je voudrais un rendez-vous'));
  await listeningIn(stack, call, 'v.code');
  const sent = stack.openai.transcriptions.slice(before);
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatchObject({ model: 'whisper-1', language: 'fr', text: 'je voudrais un rendez-vous', status: 200 });
  expect(sent[0]!.prompt).toContain('rendez-vous');
  const r = await routes(call);
  expect(r).toEqual([expect.objectContaining({ route: 'book', input: 'speech' })]);
  await call.hangup();
}, 30_000);

test('the event socket drops during a prompt and comes back: the call goes on, nothing replayed or doubled', async () => {
  const call = await placeCall();
  await until('the menu prompt to start', () => eventsOf(stack, call, 'PLAYBACK_START').length === 1);
  stack.node.sim.dropConnections();
  const sockets = [stack.node.bridgeEsl, stack.node.workerEsl, ...stack.node.workerPool];
  await until('every socket to reconnect', () => stack.node.sim.connectionCount() === sockets.length && sockets.every((c) => c.isReady));
  await listeningIn(stack, call, 'v.menu');
  await call.press('1');
  await listeningIn(stack, call, 'v.code');
  // One menu prompt (not replayed by an activity retry), one code prompt, one route, one session.
  expect(playbacks(call)).toHaveLength(2);
  expect((await routes(call)).map((r) => r.route)).toEqual(['book']);
  const description = await stack.handle(call).describe();
  expect(description.status.name).toBe('RUNNING');
  await call.hangup();
  expect((await stack.handle(call).result()).outcome).toBe('hangup');
}, 30_000);

test('a call that ends while the socket is down is reconciled as hung up after the reconnect', async () => {
  const call = await placeCall();
  await listeningIn(stack, call, 'v.menu');
  const reconciled = stack.node.bridge.stats.reconciledHangups;
  // The hang-up goes as the answer of the open turn, or as a signal when the bridge never heard of the turn.
  const hangups = () => stack.node.bridge.stats.signals.hangup + stack.node.bridge.stats.turnInputs.hangup;
  const hangupsBefore = hangups();
  // The sockets are cut synchronously: the hang-up events that follow reach no one.
  stack.node.sim.dropConnections();
  await call.hangup();
  await until('the bridge to reconnect', () => stack.node.bridgeEsl.isReady);
  expect((await stack.handle(call).result()).outcome).toBe('hangup');
  expect(stack.node.bridge.stats.reconciledHangups).toBe(reconciled + 1);
  expect(hangups()).toBe(hangupsBefore + 1);
}, 30_000);

test('malformed frames from FreeSWITCH are skipped; the bridge keeps serving the call', async () => {
  const call = await placeCall();
  await listeningIn(stack, call, 'v.menu');
  const skipped = stack.node.bridgeEsl.skippedFrames;
  const body = 'Event-Name: DTMF\nCore-UUID: x\nUnique-ID: %ZZ\n\n';
  stack.node.sim.injectRawFrame(`Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-plain\n\n${body}`);
  const json = '{"Event-Name":"DTMF","Unique-ID":';
  stack.node.sim.injectRawFrame(`Content-Length: ${Buffer.byteLength(json)}\nContent-Type: text/event-json\n\n${json}`);
  const dtmfNoDigit = JSON.stringify({ 'Event-Name': 'DTMF', 'Core-UUID': 'c', 'Event-Date-Timestamp': '1', 'Event-Sequence': '1', 'Unique-ID': call.uuid });
  stack.node.sim.injectRawFrame(`Content-Length: ${Buffer.byteLength(dtmfNoDigit)}\nContent-Type: text/event-json\n\n${dtmfNoDigit}`);
  await until('the frames to be skipped', () => stack.node.bridgeEsl.skippedFrames >= skipped + 3);
  await call.press('1');
  await listeningIn(stack, call, 'v.code');
  expect((await routes(call)).map((r) => r.route)).toEqual(['book']);
  await call.hangup();
}, 30_000);

test('hang-up during a prompt ends the session as hung up and sends nothing more to the channel', async () => {
  const call = await placeCall();
  await until('the menu prompt to start', () => eventsOf(stack, call, 'PLAYBACK_START').length === 1);
  await call.hangup('NORMAL_CLEARING');
  const result = await stack.handle(call).result();
  expect(result.outcome).toBe('hangup');
  expect(playbacks(call)).toHaveLength(1);
  expect(stack.node.sim.commands.filter((c) => c.startsWith(`sendmsg ${call.uuid}`) && c.includes('hangup'))).toHaveLength(0);
}, 30_000);

test('hang-up during an action: the action runs once, the session ends as hung up', async () => {
  stack.backend.answer(`POST /voice/${'{call}'}/saves`, { status: 200, body: {} });
  const call = await placeCall();
  stack.backend.answer(`POST /voice/${call.uuid}/saves`, { status: 200, body: { ok: true }, delayMs: 2500 });
  await listeningIn(stack, call, 'v.menu');
  await call.press('2');
  // Past 1.5 s the session plays the filler prompt while it waits.
  await until('the action to be running', () => stack.backend.requests.some((r) => r.path === `/voice/${call.uuid}/saves`));
  await until('the filler prompt', () => playbacks(call).length === 2, 5_000);
  await call.hangup();
  const result = await stack.handle(call).result();
  expect(result.outcome).toBe('hangup');
  expect(stack.backend.requests.filter((r) => r.path === `/voice/${call.uuid}/saves`)).toHaveLength(1);
}, 30_000);

test('starting twice is harmless: two bridges on one node start one session and apply each key once', async () => {
  const second = new EslConnection({ host: '127.0.0.1', port: stack.node.sim.port, password: 'sim-node-password', reconnect: false });
  const other = new EslBridge({
    client: stack.client,
    machine: stack.machine,
    nodes: [{ name: stack.node.node, esl: second }],
    destinations: [stack.node.destination],
    sessionTaskQueue: stack.sessionTaskQueue,
  });
  await other.start();
  try {
    const call = await placeCall();
    await listeningIn(stack, call, 'v.menu');
    await until('both bridges to start it', () => other.stats.started + other.stats.adopted === 1 || undefined);
    await call.press('1');
    await listeningIn(stack, call, 'v.code');
    await other.idle();
    await stack.node.bridge.idle();
    // Both bridges deliver the key (as the turn's answer or a signal); the session applies it once.
    expect(other.stats.signals.dtmf + other.stats.turnInputs.dtmf).toBeGreaterThanOrEqual(1);
    const r = await routes(call);
    expect(r.map((x) => x.route)).toEqual(['book']);
    expect((await stack.view(call)).turn).toBe(1);
    await call.hangup();
  } finally {
    await other.stop();
    await second.close();
  }
}, 30_000);

test('handoff: the caller is queued with id variables; once an agent answers the session ends and the call stays up', async () => {
  agentAvailable = true;
  const call = await placeCall();
  await listeningIn(stack, call, 'v.menu');
  await call.press('0');
  const result = await stack.handle(call).result();
  expect(result.outcome).toBe('handoff');
  const cc = call.apps.find((a) => a.app === 'callcenter');
  expect(cc?.arg).toBe('care_queue_1');
  const exported = call.apps.filter((a) => a.app === 'export').map((a) => a.arg);
  expect(exported).toContain(`ivr_call_id=${call.uuid}`);
  expect(exported.join(' ')).not.toContain('0612345678');
  expect(call.hungUp).toBe(false);
  call.endBridge();
  await call.hangup();
}, 30_000);

test('handoff without an agent: ok false takes on_fail', async () => {
  agentAvailable = false;
  try {
    const call = await placeCall();
    await listeningIn(stack, call, 'v.menu');
    await call.press('0');
    const result = await stack.handle(call).result();
    expect(result).toMatchObject({ outcome: 'completed', state: 'v.bye' });
    const v = await stack.view(call);
    expect(v.prompts.join(' ')).toContain("Aucun conseiller n'est disponible.");
  } finally {
    agentAvailable = true;
  }
}, 30_000);
