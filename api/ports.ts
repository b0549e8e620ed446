/**
 * What the API uses of its peers' clients (lib/odoo, lib/brevo), stated narrowly so that the API can be tested and
 * type-checked on its own. The real clients satisfy these shapes structurally.
 */

export interface OdooPort {
  callKw<T = unknown>(model: string, method: string, args?: unknown[], kwargs?: Record<string, unknown>): Promise<T>;
  serverVersion(): Promise<string>;
}

export interface SendResult {
  messageId: string;
  deduplicated: boolean;
}

export interface BrevoPort {
  sendSms(msg: { to: string; content: string; tag?: string; idempotencyKey: string }): Promise<SendResult>;
  sendEmail(msg: {
    to: Array<{ email: string; name?: string }>;
    subject: string;
    html: string;
    text?: string;
    attachments?: Array<{ name: string; contentBase64: string }>;
    idempotencyKey: string;
  }): Promise<SendResult>;
  sendWhatsAppTemplate(msg: { to: string; templateId: number; params: Record<string, string>; idempotencyKey: string }): Promise<SendResult>;
}

/** Send deduplication record kept by the API's store and handed to the Brevo client. */
export interface SendLedger {
  claim(key: string, channel: string): Promise<'new' | { messageId: string }>;
  complete(key: string, messageId: string): Promise<void>;
  release(key: string): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
