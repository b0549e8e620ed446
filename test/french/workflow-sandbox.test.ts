/**
 * The French parsers run inside workflow code (the IVR engine's collect modes): they must bundle with Temporal's
 * webpack build (no Node modules) and give the same answers in the sandbox as in plain Node.
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { frenchParsingWorkflow, type FrenchParsingInput } from './workflows/french-parsing';

const workflowsPath = path.join(__dirname, 'workflows', 'french-parsing.ts');

const input: FrenchParsingInput = {
  phone: 'plus deux cent soixante et un trente-deux douze trente-quatre cinq cent soixante-sept',
  date: 'lundi prochain',
  nowIso: '2026-11-22T23:30:00Z',
  timezone: 'Europe/Paris',
  yes: "oui d'accord",
  no: 'non merci',
  email: 'lina arobase exemple point com',
  dictation: "Je m'appelle Lina Andrianina, mon email lina@exemple.com, mon téléphone +261 32 12 34 567.",
  otp: 'quatre cinq six, sept huit neuf',
  consent: "J'accepte d'être contactée par WhatsApp mais pas de SMS",
};

test('the parsers bundle for the workflow sandbox and answer there as in Node', async () => {
  const bundle = await bundleWorkflowCode({ workflowsPath, logger: { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} } });
  expect(bundle.code.length).toBeGreaterThan(0);

  const address = process.env.TEMPORAL_ADDRESS;
  expect(address).toBeTruthy();
  const nativeConnection = await NativeConnection.connect({ address: address! });
  const connection = await Connection.connect({ address: address! });
  const client = new Client({ connection });
  const taskQueue = `french-${process.pid}-${Date.now()}`;
  try {
    const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowBundle: bundle });
    const inSandbox = await worker.runUntil(
      client.workflow.execute(frenchParsingWorkflow, { taskQueue, workflowId: taskQueue, args: [input] }),
    );
    expect(inSandbox).toEqual(await frenchParsingWorkflow(input));
    expect(inSandbox).toMatchObject({
      phone: { ok: true, e164: '+261321234567' },
      window: { from: '2026-11-30', to: '2026-12-14' },
      yes: true,
      no: true,
      email: 'lina@exemple.com',
      contact: { firstname: 'Lina', lastname: 'Andrianina', email: 'lina@exemple.com', phone: '+261321234567' },
      otp: '456789',
      consents: [
        { channel: 'whatsapp', granted: true, clause: "J'accepte d'être contactée par WhatsApp", start: 0, end: 39 },
        { channel: 'sms', granted: false, clause: 'pas de SMS', start: 45, end: 55 },
      ],
      spokenPhone: 'plus 261 32 12 34 567',
    });
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
});
