/**
 * machines/voice-crm.yaml end to end: the session workflow interprets the real machine on the dev server and its
 * actions call the CRM router (preview, correction, create, list) backed by the capture workflow and the
 * Odoo simulator. This is the contract between the machine and the routes, exercised as a caller would.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { dataConverter } from '../../lib/codec/data-converter';
import { loadMachine } from '../../lib/machine/loader';
import { startSessionWorkflow } from '../../sessions/start';
import { createSessionWorker } from '../../workers/session-worker';
import { inputUpdate, viewQuery, type SessionView } from '../../workflows/session-api';
import { capturedPartners, startHarness, type Harness } from './harness';

let h: Harness;
let worker: Worker;
let running: Promise<void>;
let native: NativeConnection;
let connection: Connection;
let client: Client;
const taskQueue = `crm-journey-${process.pid}`;

beforeAll(async () => {
  h = await startHarness({ version: 18 });
  const address = process.env.TEMPORAL_ADDRESS!;
  native = await NativeConnection.connect({ address });
  // The machine's /crm calls are operator calls: the backend activity adds the token it is given.
  worker = await createSessionWorker({ connection: native, taskQueue, backendUrl: h.baseUrl, operatorToken: h.operatorToken });
  running = worker.run();
  connection = await Connection.connect({ address });
  client = new Client({ connection, dataConverter: dataConverter() });
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await native?.close();
  await connection?.close();
  await h?.close();
});

const say = (handle: WorkflowHandle, text: string): Promise<SessionView> =>
  handle.executeUpdate(inputUpdate, { args: [{ eventId: crypto.randomUUID(), kind: 'text', text }] });

test('dictate, hear the read-back, correct the e-mail, confirm, list, leave', async () => {
  const machine = loadMachine(path.join(__dirname, '..', '..', 'machines', 'voice-crm.yaml'));
  const callId = crypto.randomUUID();
  const handle = await startSessionWorkflow(client, { machine, channel: 'web', callId }, { taskQueue });
  expect((await handle.query(viewQuery)).state).toBe('crm.entry');

  let view = await say(handle, "Je m'appelle Lina Andrianina, mon email lina@exemple.com, mon téléphone +261 32 12 34 567.");
  expect(view.state).toBe('crm.confirm');
  expect(view.prompts).toContain("Nom : Lina Andrianina. Email : lina arobase exemple point com. Téléphone : plus 261 32 12 34 567. Pour valider, tapez 9 ou dites oui. Pour corriger, tapez 1 pour le nom, 2 pour l'email, 3 pour le téléphone.");
  expect(h.odooSim.callCount('res.partner', 'create')).toBe(0);

  view = await say(handle, 'non');
  expect(view.state).toBe('crm.correct.which');
  view = await say(handle, "l'email");
  expect(view.state).toBe('crm.correct.email');
  view = await say(handle, 'lina point r arobase exemple point com');
  expect(view.state).toBe('crm.confirm');
  expect(view.prompts).toContain("Nom : Lina Andrianina. Email : lina point r arobase exemple point com. Téléphone : plus 261 32 12 34 567. Pour valider, tapez 9 ou dites oui. Pour corriger, tapez 1 pour le nom, 2 pour l'email, 3 pour le téléphone.");

  view = await say(handle, 'oui');
  expect(view.state).toBe('crm.after');
  expect(view.prompts[0]).toBe("C'est enregistré : le contact et sa piste sont créés.");
  const partners = capturedPartners(h.odooSim);
  expect(partners).toHaveLength(1);
  expect(partners[0]).toMatchObject({ name: 'Lina Andrianina', email: 'lina.r@exemple.com', phone: '+261321234567', mobile: '+261321234567' });
  const [lead] = h.odooSim.records('crm.lead');
  expect(lead).toMatchObject({ partner_id: partners[0]!.id, email_from: 'lina.r@exemple.com' });
  expect(String(lead!.description)).toContain(`Appel : ${callId}`);

  view = await say(handle, 'liste les contacts');
  expect(view.state).toBe('crm.after');
  expect(view.prompts.join(' ')).toMatch(/Voici les \d+ derniers contacts\. Lina Andrianina, plus 261 32 12 34 567/);

  view = await say(handle, 'au revoir');
  expect(view.ended).toEqual({ outcome: 'completed', state: 'crm.goodbye', screen: 'C3', declared: { name: 'contacts_listed', goal: true } });
});
