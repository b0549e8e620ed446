import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Worker, NativeConnection } from '@temporalio/worker';
import { loadMachine } from '../../lib/machine/loader';
import type { EngineInput } from '../../workflows/engine';
import { engineProbe } from './workflows/engine-probe';

/**
 * The engine (with lib/french: Luxon dates, libphonenumber) bundled and run in Temporal's workflow sandbox gives
 * exactly the steps it gives in process.
 */
test('engine in the workflow sandbox gives the same steps as in process', async () => {
  const m = loadMachine(path.join(__dirname, '../../machines/rdv-ivr.yaml'));
  const ok = (body: unknown): EngineInput => ({ kind: 'action_result', stepId: '?', ok: true, status: 200, body: body as never });
  const inputs: EngineInput[] = [
    { kind: 'dtmf', digits: '1' }, { kind: 'speech', text: 'zéro six douze trente-quatre cinquante-six soixante-dix-huit' }, ok({ challenge_id: 'c' }),
    { kind: 'speech', text: 'douze trente-quatre cinquante-six' }, ok({ session_token: 't', partner_id: 7 }), { kind: 'speech', text: 'oui' },
    { kind: 'speech', text: 'sms' }, ok({}), ok({ count: 1, appointments: [{ id: 3 }], summary_voice: 'x' }), { kind: 'speech', text: 'déplacer' },
    { kind: 'speech', text: 'le matin' }, { kind: 'speech', text: 'visio' }, { kind: 'speech', text: 'après-demain' }, ok({}),
    ok({ slots: [{ id: 'a', voice_label: 'A' }, { id: 'b', voice_label: 'B' }, { id: 'c', voice_label: 'C' }] }), { kind: 'speech', text: 'trois' },
  ];
  const local = await engineProbe(m, inputs);
  const address = process.env.TEMPORAL_ADDRESS!;
  const taskQueue = `engine-probe-${process.pid}`;
  const nc = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection: nc, taskQueue, workflowsPath: require.resolve('./workflows/engine-probe') });
  const conn = await Connection.connect({ address });
  const client = new Client({ connection: conn });
  const remote = await worker.runUntil(client.workflow.execute(engineProbe, { taskQueue, workflowId: `engine-probe-${process.pid}-${Date.now()}`, args: [m, inputs] }));
  expect(remote.at(-1)?.session).toMatchObject({ state: 'ivr.slots.select', ctx: { phone_e164: '+33612345678', pref_date_from: '2030-03-08' } });
  // The code was consumed by the verify request: it is not in the session's ctx any more.
  expect(remote.at(-1)?.session.ctx).not.toHaveProperty('otp');
  expect(remote).toEqual(local);
  await conn.close();
  await nc.close();
});
