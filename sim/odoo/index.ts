/** The Odoo simulator: start one in-process with `startOdooSimulator`, or run `npx ivr sim odoo`. */
export { startOdooSimulator, loadFixtureFile } from './server';
export type { OdooSimulator, OdooSimulatorOptions, OdooFixtures, OdooVersion, InjectedFailure, CallLogEntry, Transport } from './server';
export const DEMO_FIXTURE_PATH = require.resolve('./fixtures/demo.json');
