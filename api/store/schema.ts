/**
 * The store's SQL schema as ordered migrations, applied at start by `migrate()`. Each migration runs once; the
 * applied versions are kept in schema_migrations. Append new migrations; never edit an applied one; write each so
 * that running it twice is harmless (IF NOT EXISTS).
 */
import type { SqlDriver } from './driver';

export const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
CREATE TABLE IF NOT EXISTS otp_challenges (
  id text PRIMARY KEY,
  phone_hash text NOT NULL,
  code_hash text NOT NULL,
  channel text NOT NULL,
  purpose text NOT NULL,
  role text NOT NULL,
  status text NOT NULL,            -- active | used | replaced | locked | expired
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  call_id text,
  session_id text
);
CREATE INDEX IF NOT EXISTS otp_challenges_phone ON otp_challenges (phone_hash, status);

CREATE TABLE IF NOT EXISTS sessions (
  token_hash text PRIMARY KEY,
  partner_id integer NOT NULL,
  source text NOT NULL,            -- otp | magic_link
  session_id text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);

CREATE TABLE IF NOT EXISTS magic_links (
  token_hash text PRIMARY KEY,
  kind text NOT NULL,              -- portal_login | share
  partner_id integer,              -- null: the number matched no partner when the link was sent
  appointment_id integer,
  session_id text,
  call_id text,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

CREATE TABLE IF NOT EXISTS idempotency (
  key text PRIMARY KEY,
  fingerprint text NOT NULL,
  status text NOT NULL,            -- in_progress | done
  response_status integer,
  response_body text,
  created_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS consent_log (
  id bigserial PRIMARY KEY,
  partner_id integer NOT NULL,
  consent_ok boolean NOT NULL,
  purpose text NOT NULL,
  channel text NOT NULL,           -- voice | web
  wording_version text NOT NULL,
  wording_hash text NOT NULL,
  call_id text,
  session_id text,
  recorded_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS consent_log_partner ON consent_log (partner_id, recorded_at);

CREATE TABLE IF NOT EXISTS partner_preferences (
  partner_id integer PRIMARY KEY,
  preferred_channel text,
  updated_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS appointment_preferences (
  appointment_id integer PRIMARY KEY,
  partner_id integer NOT NULL,
  date_from date,
  date_to date,
  time_window text NOT NULL,
  mode text NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE IF NOT EXISTS slot_proposals (
  appointment_id integer NOT NULL,
  slot_id text NOT NULL,
  partner_id integer NOT NULL,
  start_at timestamptz NOT NULL,
  stop_at timestamptz NOT NULL,
  mode text NOT NULL,
  status text NOT NULL,            -- proposed | refused | selected
  created_at timestamptz NOT NULL,
  PRIMARY KEY (appointment_id, slot_id)
);

CREATE TABLE IF NOT EXISTS rate_limits (
  bucket text NOT NULL,
  window_start bigint NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (bucket, window_start)
);

CREATE TABLE IF NOT EXISTS send_ledger (
  key text PRIMARY KEY,
  channel text NOT NULL,
  status text NOT NULL,            -- pending | sent
  message_id text,
  claimed_at timestamptz NOT NULL,
  completed_at timestamptz
);

CREATE TABLE IF NOT EXISTS agent_notes (
  id bigserial PRIMARY KEY,
  partner_id integer,
  reason text NOT NULL,
  state text,
  call_id text,
  session_id text,
  recorded_at timestamptz NOT NULL
);
`,
  },
  {
    // Operators (console and /crm callers), their audit trail, and sliding-window rate limits.
    version: 2,
    sql: `
CREATE TABLE IF NOT EXISTS operators (
  name text PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,  -- HMAC(SESSION_KEY, 'operator', token); the token itself is shown once
  created_at timestamptz NOT NULL,
  token_issued_at timestamptz NOT NULL,
  revoked_at timestamptz,
  last_used_at timestamptz
);

CREATE TABLE IF NOT EXISTS operator_audit (
  id bigserial PRIMARY KEY,
  operator text NOT NULL,
  method text NOT NULL,
  route text NOT NULL,
  status integer NOT NULL,
  action text NOT NULL,             -- read | write
  records jsonb NOT NULL DEFAULT '{}', -- model → ids read or written, e.g. {"res.partner": [7, 9]}
  record_count integer NOT NULL DEFAULT 0,
  request_id text,
  recorded_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS operator_audit_operator ON operator_audit (operator, recorded_at);

CREATE TABLE IF NOT EXISTS rate_windows (
  bucket text PRIMARY KEY,
  hits bigint[] NOT NULL,           -- epoch ms of the accepted hits still inside the window
  accepted boolean NOT NULL,        -- whether the last hit was accepted
  updated_ms bigint NOT NULL
);
`,
  },
];

export async function migrate(db: SqlDriver): Promise<number[]> {
  await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
  const done = new Set((await db.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    // Several API instances may start together on one PostgreSQL: the transaction-scoped advisory lock serialises
    // them, and the statements are written to be harmless when another instance applied them first.
    await db.exec(`BEGIN;\nSELECT pg_advisory_xact_lock(727274);\n${m.sql}\nINSERT INTO schema_migrations (version) VALUES (${m.version}) ON CONFLICT DO NOTHING;\nCOMMIT;`);
    applied.push(m.version);
  }
  return applied;
}
