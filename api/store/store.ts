/**
 * The API's durable records (OTP challenges, sessions, links, idempotency, consent, preferences, proposals, rate
 * counters, send ledger) as one repository over a SqlDriver. Every check-and-change is a single SQL statement
 * (UPDATE … WHERE … RETURNING, INSERT … ON CONFLICT), so concurrent requests cannot both win.
 */
import { openPgDriver, openPgliteDriver, type SqlDriver } from './driver';
import { migrate } from './schema';
import { LedgerKeyConflict, type SendLedger } from '../../lib/brevo/ledger';

export type ChallengeStatus = 'active' | 'used' | 'replaced' | 'locked' | 'expired';

export interface OtpChallenge {
  id: string;
  phoneHash: string;
  codeHash: string;
  channel: string;
  purpose: string;
  role: string;
  status: ChallengeStatus;
  attempts: number;
  maxAttempts: number;
  createdAt: Date;
  expiresAt: Date;
}

export interface SessionRow {
  partnerId: number;
  source: string;
  sessionId: string | null;
  expiresAt: Date;
}

export interface LinkRow {
  kind: 'portal_login' | 'share';
  partnerId: number | null;
  appointmentId: number | null;
  sessionId: string | null;
  expiresAt: Date;
  usedAt: Date | null;
}

export interface ConsentRecord {
  partnerId: number;
  consentOk: boolean;
  purpose: string;
  channel: 'voice' | 'web';
  wordingVersion: string;
  wordingHash: string;
  callId: string | null;
  sessionId: string | null;
  recordedAt: Date;
}

export interface AppointmentPrefs {
  appointmentId: number;
  partnerId: number;
  dateFrom: string | null;
  dateTo: string | null;
  timeWindow: 'morning' | 'afternoon' | 'any';
  mode: 'home' | 'video' | 'clinic';
}

export interface ProposalRow {
  slotId: string;
  start: Date;
  stop: Date;
  mode: 'home' | 'video' | 'clinic';
  status: 'proposed' | 'refused' | 'selected';
}

export interface IdempotencyRow {
  fingerprint: string;
  status: 'in_progress' | 'done';
  responseStatus: number | null;
  responseBody: string | null;
}

export interface OperatorRow {
  name: string;
  createdAt: Date;
  tokenIssuedAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export interface OperatorAuditRow {
  operator: string;
  method: string;
  /** The route as declared (`GET /crm/contacts`), never the query string (it may hold a searched name or number). */
  route: string;
  status: number;
  action: 'read' | 'write';
  /** Model → ids of the records read or written. */
  records: Record<string, number[]>;
  recordCount: number;
  requestId: string | null;
  at: Date;
}

function parseRecords(v: unknown): Record<string, number[]> {
  const o = typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
  const out: Record<string, number[]> = {};
  if (o && typeof o === 'object') for (const [k, ids] of Object.entries(o)) out[k] = Array.isArray(ids) ? ids.map(Number) : [];
  return out;
}

// Rows cross a worker-thread boundary (PGlite) so Dates may come from another realm: test by shape, not instanceof.
const isDateLike = (v: unknown): v is Date => typeof v === 'object' && v !== null && typeof (v as Date).getTime === 'function';
const toDate = (v: unknown): Date => (isDateLike(v) ? new Date(v.getTime()) : new Date(String(v)));
const toDateOrNull = (v: unknown): Date | null => (v == null ? null : toDate(v));
const isoDay = (v: unknown): string | null => {
  if (v == null) return null;
  // The query casts DATE columns to text, so both drivers give 'YYYY-MM-DD'.
  return String(v).slice(0, 10);
};

export class ApiStore {
  private constructor(readonly db: SqlDriver) {}

  /** Opens PostgreSQL when `databaseUrl` is given, else PGlite in `dataDir` ('memory://' for a throwaway store). */
  static async open(opts: { databaseUrl?: string | undefined; dataDir: string }): Promise<ApiStore> {
    const db = opts.databaseUrl ? await openPgDriver(opts.databaseUrl) : await openPgliteDriver(opts.dataDir);
    await migrate(db);
    return new ApiStore(db);
  }

  static async fromDriver(db: SqlDriver): Promise<ApiStore> {
    await migrate(db);
    return new ApiStore(db);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  async ping(): Promise<boolean> {
    try {
      await this.db.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  // ---- OTP challenges ----

  /** Inserts a new challenge and marks every other active challenge of the number as replaced. */
  async createChallenge(c: Omit<OtpChallenge, 'status' | 'attempts'> & { callId?: string | undefined; sessionId?: string | undefined }): Promise<void> {
    await this.db.query(`UPDATE otp_challenges SET status = 'replaced' WHERE phone_hash = $1 AND status = 'active'`, [c.phoneHash]);
    await this.db.query(
      `INSERT INTO otp_challenges (id, phone_hash, code_hash, channel, purpose, role, status, attempts, max_attempts, created_at, expires_at, call_id, session_id)
       VALUES ($1,$2,$3,$4,$5,$6,'active',0,$7,$8,$9,$10,$11)`,
      [c.id, c.phoneHash, c.codeHash, c.channel, c.purpose, c.role, c.maxAttempts, c.createdAt, c.expiresAt, c.callId ?? null, c.sessionId ?? null],
    );
  }

  async getChallenge(id: string): Promise<OtpChallenge | null> {
    const r = await this.db.query<Record<string, unknown>>('SELECT * FROM otp_challenges WHERE id = $1', [id]);
    const row = r.rows[0];
    if (!row) return null;
    return {
      id: String(row.id),
      phoneHash: String(row.phone_hash),
      codeHash: String(row.code_hash),
      channel: String(row.channel),
      purpose: String(row.purpose),
      role: String(row.role),
      status: row.status as ChallengeStatus,
      attempts: Number(row.attempts),
      maxAttempts: Number(row.max_attempts),
      createdAt: toDate(row.created_at),
      expiresAt: toDate(row.expires_at),
    };
  }

  /** Counts one attempt on an active challenge; null when it is no longer active. */
  async countAttempt(id: string): Promise<number | null> {
    const r = await this.db.query<{ attempts: number }>(
      `UPDATE otp_challenges SET attempts = attempts + 1 WHERE id = $1 AND status = 'active' RETURNING attempts`,
      [id],
    );
    return r.rows[0] ? Number(r.rows[0].attempts) : null;
  }

  /** Moves an active challenge to a final status; false when another request got there first. */
  async finishChallenge(id: string, status: Exclude<ChallengeStatus, 'active'>): Promise<boolean> {
    const r = await this.db.query(`UPDATE otp_challenges SET status = $2 WHERE id = $1 AND status = 'active'`, [id, status]);
    return r.rowCount === 1;
  }

  // ---- sessions ----

  async createSession(s: { tokenHash: string; partnerId: number; source: string; sessionId?: string | null; createdAt: Date; expiresAt: Date }): Promise<void> {
    await this.db.query(
      'INSERT INTO sessions (token_hash, partner_id, source, session_id, created_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6)',
      [s.tokenHash, s.partnerId, s.source, s.sessionId ?? null, s.createdAt, s.expiresAt],
    );
  }

  async getSession(tokenHash: string): Promise<(SessionRow & { revoked: boolean }) | null> {
    const r = await this.db.query<Record<string, unknown>>('SELECT * FROM sessions WHERE token_hash = $1', [tokenHash]);
    const row = r.rows[0];
    if (!row) return null;
    return {
      partnerId: Number(row.partner_id),
      source: String(row.source),
      sessionId: row.session_id == null ? null : String(row.session_id),
      expiresAt: toDate(row.expires_at),
      revoked: row.revoked_at != null,
    };
  }

  /** Revokes a session; false when it is unknown or was already revoked. */
  async revokeSession(tokenHash: string, at: Date): Promise<boolean> {
    const r = await this.db.query('UPDATE sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL', [tokenHash, at]);
    return r.rowCount === 1;
  }

  // ---- operators ----

  /** Adds an operator; false when the name is taken (revoked or not: names are never reused silently). */
  async createOperator(name: string, tokenHash: string, at: Date): Promise<boolean> {
    const r = await this.db.query(
      'INSERT INTO operators (name, token_hash, created_at, token_issued_at) VALUES ($1,$2,$3,$3) ON CONFLICT (name) DO NOTHING',
      [name, tokenHash, at],
    );
    return r.rowCount === 1;
  }

  /** Creates the operator or gives it a new token (the previous one stops working); clears a revocation. */
  async setOperatorToken(name: string, tokenHash: string, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO operators (name, token_hash, created_at, token_issued_at) VALUES ($1,$2,$3,$3)
       ON CONFLICT (name) DO UPDATE SET token_hash = EXCLUDED.token_hash, token_issued_at = EXCLUDED.token_issued_at, revoked_at = NULL`,
      [name, tokenHash, at],
    );
  }

  async getOperatorByTokenHash(tokenHash: string): Promise<{ name: string; revoked: boolean } | null> {
    const r = await this.db.query<Record<string, unknown>>('SELECT name, revoked_at FROM operators WHERE token_hash = $1', [tokenHash]);
    const row = r.rows[0];
    return row ? { name: String(row.name), revoked: row.revoked_at != null } : null;
  }

  async listOperators(): Promise<OperatorRow[]> {
    const r = await this.db.query<Record<string, unknown>>('SELECT name, created_at, token_issued_at, revoked_at, last_used_at FROM operators ORDER BY name');
    return r.rows.map((row) => ({
      name: String(row.name),
      createdAt: toDate(row.created_at),
      tokenIssuedAt: toDate(row.token_issued_at),
      revokedAt: toDateOrNull(row.revoked_at),
      lastUsedAt: toDateOrNull(row.last_used_at),
    }));
  }

  /** Revokes an operator's token; false when there is no such active operator. */
  async revokeOperator(name: string, at: Date): Promise<boolean> {
    const r = await this.db.query('UPDATE operators SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL', [name, at]);
    return r.rowCount === 1;
  }

  async touchOperator(name: string, at: Date): Promise<void> {
    await this.db.query('UPDATE operators SET last_used_at = $2 WHERE name = $1', [name, at]);
  }

  /** One audit row per operator request that read or wrote personal data: who, what, when, never the data. */
  async appendOperatorAudit(a: OperatorAuditRow): Promise<number> {
    const r = await this.db.query<{ id: string | number }>(
      `INSERT INTO operator_audit (operator, method, route, status, action, records, record_count, request_id, recorded_at)
       VALUES ($1,$2,$3,$4,$5,$6::jsonb,$7,$8,$9) RETURNING id`,
      [a.operator, a.method, a.route, a.status, a.action, JSON.stringify(a.records), a.recordCount, a.requestId, a.at],
    );
    return Number(r.rows[0]?.id);
  }

  async listOperatorAudit(opts: { operator?: string; limit?: number } = {}): Promise<OperatorAuditRow[]> {
    const r = await this.db.query<Record<string, unknown>>(
      `SELECT * FROM operator_audit WHERE ($1::text IS NULL OR operator = $1) ORDER BY id DESC LIMIT $2`,
      [opts.operator ?? null, opts.limit ?? 100],
    );
    return r.rows.map((row) => ({
      operator: String(row.operator),
      method: String(row.method),
      route: String(row.route),
      status: Number(row.status),
      action: row.action as OperatorAuditRow['action'],
      records: parseRecords(row.records),
      recordCount: Number(row.record_count),
      requestId: row.request_id == null ? null : String(row.request_id),
      at: toDate(row.recorded_at),
    }));
  }

  // ---- one-time and share links ----

  async createLink(l: { tokenHash: string; kind: LinkRow['kind']; partnerId: number | null; appointmentId?: number | null; sessionId?: string | null; callId?: string | null; createdAt: Date; expiresAt: Date }): Promise<void> {
    await this.db.query(
      `INSERT INTO magic_links (token_hash, kind, partner_id, appointment_id, session_id, call_id, created_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
      [l.tokenHash, l.kind, l.partnerId, l.appointmentId ?? null, l.sessionId ?? null, l.callId ?? null, l.createdAt, l.expiresAt],
    );
  }

  async getLink(tokenHash: string): Promise<LinkRow | null> {
    const r = await this.db.query<Record<string, unknown>>('SELECT * FROM magic_links WHERE token_hash = $1', [tokenHash]);
    const row = r.rows[0];
    if (!row) return null;
    return {
      kind: row.kind as LinkRow['kind'],
      partnerId: row.partner_id == null ? null : Number(row.partner_id),
      appointmentId: row.appointment_id == null ? null : Number(row.appointment_id),
      sessionId: row.session_id == null ? null : String(row.session_id),
      expiresAt: toDate(row.expires_at),
      usedAt: toDateOrNull(row.used_at),
    };
  }

  /** Marks a one-time link used; false when it already was. */
  async useLink(tokenHash: string, at: Date): Promise<boolean> {
    const r = await this.db.query('UPDATE magic_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL', [tokenHash, at]);
    return r.rowCount === 1;
  }

  // ---- idempotency ----

  /** Claims a key for a request; returns the existing row when the key is already known. */
  async claimIdempotency(key: string, fingerprint: string, at: Date): Promise<IdempotencyRow | 'claimed'> {
    const ins = await this.db.query(
      `INSERT INTO idempotency (key, fingerprint, status, created_at) VALUES ($1,$2,'in_progress',$3) ON CONFLICT (key) DO NOTHING`,
      [key, fingerprint, at],
    );
    if (ins.rowCount === 1) return 'claimed';
    const existing = await this.getIdempotency(key);
    // Released between our insert and read: try once more.
    if (!existing) return this.claimIdempotency(key, fingerprint, at);
    return existing;
  }

  async getIdempotency(key: string): Promise<IdempotencyRow | null> {
    const r = await this.db.query<Record<string, unknown>>('SELECT * FROM idempotency WHERE key = $1', [key]);
    const row = r.rows[0];
    if (!row) return null;
    return {
      fingerprint: String(row.fingerprint),
      status: row.status as IdempotencyRow['status'],
      responseStatus: row.response_status == null ? null : Number(row.response_status),
      responseBody: row.response_body == null ? null : String(row.response_body),
    };
  }

  async completeIdempotency(key: string, status: number, body: string): Promise<void> {
    await this.db.query(`UPDATE idempotency SET status = 'done', response_status = $2, response_body = $3 WHERE key = $1`, [key, status, body]);
  }

  async releaseIdempotency(key: string): Promise<void> {
    await this.db.query(`DELETE FROM idempotency WHERE key = $1 AND status = 'in_progress'`, [key]);
  }

  // ---- consent and preferences ----

  async appendConsent(c: ConsentRecord): Promise<number> {
    const r = await this.db.query<{ id: string | number }>(
      `INSERT INTO consent_log (partner_id, consent_ok, purpose, channel, wording_version, wording_hash, call_id, session_id, recorded_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id`,
      [c.partnerId, c.consentOk, c.purpose, c.channel, c.wordingVersion, c.wordingHash, c.callId, c.sessionId, c.recordedAt],
    );
    return Number(r.rows[0]?.id);
  }

  async latestConsent(partnerId: number): Promise<ConsentRecord | null> {
    const r = await this.db.query<Record<string, unknown>>(
      'SELECT * FROM consent_log WHERE partner_id = $1 ORDER BY recorded_at DESC, id DESC LIMIT 1',
      [partnerId],
    );
    const row = r.rows[0];
    if (!row) return null;
    return {
      partnerId: Number(row.partner_id),
      consentOk: Boolean(row.consent_ok),
      purpose: String(row.purpose),
      channel: row.channel as 'voice' | 'web',
      wordingVersion: String(row.wording_version),
      wordingHash: String(row.wording_hash),
      callId: row.call_id == null ? null : String(row.call_id),
      sessionId: row.session_id == null ? null : String(row.session_id),
      recordedAt: toDate(row.recorded_at),
    };
  }

  async setPreferredChannel(partnerId: number, channel: string, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO partner_preferences (partner_id, preferred_channel, updated_at) VALUES ($1,$2,$3)
       ON CONFLICT (partner_id) DO UPDATE SET preferred_channel = EXCLUDED.preferred_channel, updated_at = EXCLUDED.updated_at`,
      [partnerId, channel, at],
    );
  }

  async getPreferredChannel(partnerId: number): Promise<string | null> {
    const r = await this.db.query<{ preferred_channel: string | null }>('SELECT preferred_channel FROM partner_preferences WHERE partner_id = $1', [partnerId]);
    return r.rows[0]?.preferred_channel ?? null;
  }

  async setAppointmentPrefs(p: AppointmentPrefs, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO appointment_preferences (appointment_id, partner_id, date_from, date_to, time_window, mode, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7)
       ON CONFLICT (appointment_id) DO UPDATE SET partner_id = EXCLUDED.partner_id, date_from = EXCLUDED.date_from, date_to = EXCLUDED.date_to,
         time_window = EXCLUDED.time_window, mode = EXCLUDED.mode, updated_at = EXCLUDED.updated_at`,
      [p.appointmentId, p.partnerId, p.dateFrom, p.dateTo, p.timeWindow, p.mode, at],
    );
  }

  async getAppointmentPrefs(appointmentId: number): Promise<AppointmentPrefs | null> {
    const r = await this.db.query<Record<string, unknown>>('SELECT appointment_id, partner_id, date_from::text AS date_from, date_to::text AS date_to, time_window, mode FROM appointment_preferences WHERE appointment_id = $1', [appointmentId]);
    const row = r.rows[0];
    if (!row) return null;
    return {
      appointmentId: Number(row.appointment_id),
      partnerId: Number(row.partner_id),
      dateFrom: isoDay(row.date_from),
      dateTo: isoDay(row.date_to),
      timeWindow: row.time_window as AppointmentPrefs['timeWindow'],
      mode: row.mode as AppointmentPrefs['mode'],
    };
  }

  // ---- slot proposals ----

  async listProposals(appointmentId: number): Promise<ProposalRow[]> {
    const r = await this.db.query<Record<string, unknown>>('SELECT * FROM slot_proposals WHERE appointment_id = $1 ORDER BY start_at', [appointmentId]);
    return r.rows.map((row) => ({
      slotId: String(row.slot_id),
      start: toDate(row.start_at),
      stop: toDate(row.stop_at),
      mode: row.mode as ProposalRow['mode'],
      status: row.status as ProposalRow['status'],
    }));
  }

  /** Records slots as proposed; a slot already refused stays refused. */
  async recordProposals(appointmentId: number, partnerId: number, slots: Array<{ slotId: string; start: Date; stop: Date; mode: string }>, at: Date): Promise<void> {
    for (const s of slots) {
      await this.db.query(
        `INSERT INTO slot_proposals (appointment_id, slot_id, partner_id, start_at, stop_at, mode, status, created_at) VALUES ($1,$2,$3,$4,$5,$6,'proposed',$7)
         ON CONFLICT (appointment_id, slot_id) DO UPDATE SET status = CASE WHEN slot_proposals.status = 'refused' THEN 'refused' ELSE 'proposed' END`,
        [appointmentId, s.slotId, partnerId, s.start, s.stop, s.mode, at],
      );
    }
  }

  async refuseProposals(appointmentId: number): Promise<number> {
    const r = await this.db.query(`UPDATE slot_proposals SET status = 'refused' WHERE appointment_id = $1 AND status = 'proposed'`, [appointmentId]);
    return r.rowCount;
  }

  async markSelected(appointmentId: number, slotId: string): Promise<void> {
    await this.db.query(`UPDATE slot_proposals SET status = 'selected' WHERE appointment_id = $1 AND slot_id = $2`, [appointmentId, slotId]);
    // The event moved: earlier proposals were computed against the old position.
    await this.db.query(`DELETE FROM slot_proposals WHERE appointment_id = $1 AND status = 'proposed'`, [appointmentId]);
  }

  // ---- rate limits: fixed windows (migration 1; no longer used by the API, see slidingHit) ----

  /** Counts one hit in the bucket's current window and returns the count including it. */
  async hit(bucket: string, windowStartMs: number): Promise<number> {
    const r = await this.db.query<{ count: number }>(
      `INSERT INTO rate_limits (bucket, window_start, count) VALUES ($1,$2,1)
       ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limits.count + 1 RETURNING count`,
      [bucket, windowStartMs],
    );
    return Number(r.rows[0]?.count ?? 0);
  }

  /**
   * Sliding-window log: counts a hit when fewer than `max` accepted hits lie in (now - window, now]. One statement
   * on one row (the upsert locks it), so concurrent hits cannot both take the last place. Refused hits are not
   * recorded: a client that keeps retrying is let in as soon as its oldest accepted hit leaves the window.
   */
  async slidingHit(bucket: string, nowMs: number, windowMs: number, max: number): Promise<{ accepted: boolean; oldestMs: number | null }> {
    const since = nowMs - windowMs;
    const r = await this.db.query<{ accepted: boolean; hits: Array<string | number> }>(
      `INSERT INTO rate_windows (bucket, hits, accepted, updated_ms) VALUES ($1, CASE WHEN $4::int > 0 THEN ARRAY[$2::bigint] ELSE '{}'::bigint[] END, $4::int > 0, $2)
       ON CONFLICT (bucket) DO UPDATE SET
         hits = ARRAY(SELECT h FROM unnest(rate_windows.hits) AS h WHERE h > $3 ORDER BY h)
           || CASE WHEN (SELECT count(*) FROM unnest(rate_windows.hits) AS h WHERE h > $3) < $4 THEN ARRAY[$2::bigint] ELSE '{}'::bigint[] END,
         accepted = (SELECT count(*) FROM unnest(rate_windows.hits) AS h WHERE h > $3) < $4,
         updated_ms = $2
       RETURNING accepted, hits`,
      [bucket, nowMs, since, max],
    );
    const row = r.rows[0];
    const hits = (row?.hits ?? []).map(Number).filter((h) => h > since);
    return { accepted: Boolean(row?.accepted), oldestMs: hits.length ? Math.min(...hits) : null };
  }

  // ---- housekeeping ----

  /** Deletes what no rule needs any more (the consent log and notes are kept: they are evidence). */
  async prune(now: Date, retentionDays: number): Promise<number> {
    const before = new Date(now.getTime() - retentionDays * 86_400_000);
    let n = 0;
    n += (await this.db.query('DELETE FROM idempotency WHERE created_at < $1', [before])).rowCount;
    n += (await this.db.query('DELETE FROM otp_challenges WHERE expires_at < $1', [before])).rowCount;
    n += (await this.db.query('DELETE FROM sessions WHERE expires_at < $1', [before])).rowCount;
    n += (await this.db.query('DELETE FROM magic_links WHERE expires_at < $1', [before])).rowCount;
    n += (await this.db.query('DELETE FROM rate_limits WHERE window_start < $1', [before.getTime()])).rowCount;
    n += (await this.db.query('DELETE FROM rate_windows WHERE updated_ms < $1', [before.getTime()])).rowCount;
    n += (await this.db.query(`DELETE FROM send_ledger WHERE status = 'sent' AND completed_at < $1`, [before])).rowCount;
    return n;
  }

  // ---- audit ----

  async appendAgentNote(n: { partnerId: number | null; reason: string; state: string | null; callId: string | null; sessionId: string | null; at: Date }): Promise<number> {
    const r = await this.db.query<{ id: string | number }>(
      'INSERT INTO agent_notes (partner_id, reason, state, call_id, session_id, recorded_at) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id',
      [n.partnerId, n.reason, n.state, n.callId, n.sessionId, n.at],
    );
    return Number(r.rows[0]?.id);
  }

  // ---- Brevo send ledger ----

  /**
   * The SendLedger handed to the Brevo client (contract in lib/brevo/ledger.ts): claim is one INSERT … ON CONFLICT
   * DO NOTHING, then a read of the existing row; the client decides what a pending claim means.
   */
  sendLedger(clock: { now(): Date }): SendLedger {
    const db = this.db;
    return {
      async claim(key, channel) {
        const ins = await db.query(
          `INSERT INTO send_ledger (key, channel, status, claimed_at) VALUES ($1,$2,'pending',$3) ON CONFLICT (key) DO NOTHING`,
          [key, channel, clock.now()],
        );
        if (ins.rowCount === 1) return 'new';
        const r = await db.query<Record<string, unknown>>('SELECT * FROM send_ledger WHERE key = $1', [key]);
        const row = r.rows[0];
        if (!row) return this.claim(key, channel); // released in between
        if (row.channel !== channel) {
          throw new LedgerKeyConflict(`idempotency key '${key}' was first used for ${String(row.channel)}, now for ${channel}: use one key per message`);
        }
        if (row.status === 'sent' && row.message_id != null) return { messageId: String(row.message_id) };
        return { pendingSince: toDate(row.claimed_at) };
      },
      async complete(key, messageId) {
        await db.query(`UPDATE send_ledger SET status = 'sent', message_id = $2, completed_at = $3 WHERE key = $1`, [key, messageId, clock.now()]);
      },
      async release(key) {
        await db.query(`DELETE FROM send_ledger WHERE key = $1 AND status = 'pending'`, [key]);
      },
    };
  }
}
