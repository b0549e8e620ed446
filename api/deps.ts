/** What the app is built from; everything with an effect is injected so tests use the real simulators and a clock. */
import type { Logger } from 'pino';
import type { ApiConfig } from './config';
import type { BrevoPort, Clock, OdooPort } from './ports';
import type { ApiStore } from './store/store';
import type { SessionService } from './services/sessions';

export interface ApiDeps {
  config: ApiConfig;
  store: ApiStore;
  odoo: OdooPort;
  brevo: BrevoPort;
  clock: Clock;
  log: Logger;
  sessions: SessionService;
}
