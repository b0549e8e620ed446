/**
 * What the API uses of its peers' clients (lib/odoo, lib/brevo), stated narrowly so that handlers depend on a
 * small surface and tests can see exactly what is called.
 */
import type { OdooClient } from '../lib/odoo/client';
import type { BrevoClient } from '../lib/brevo/client';

export type { SendLedger, ClaimResult, SendChannel } from '../lib/brevo/ledger';
export type { SendResult } from '../lib/brevo/client';

export type OdooPort = Pick<OdooClient, 'callKw' | 'fields' | 'serverVersion'>;
export type BrevoPort = BrevoClient;

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
