/**
 * The simulated database: records per model, create/write/unlink with x2many commands, computed fields
 * (email_normalized, phone_sanitized, duration, attendees of an event), Odoo's constraints and error messages,
 * read/search/fields_get. Records are stored with many2one as id|false and many2many as id lists; one2many are
 * derived from the comodel's inverse many2one, so they can never disagree.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { DomainEvaluator, domainMentions, parseDomain, type DomainStore, type RecordValues } from './domain';
import { missingError, validationError, valueError, userError } from './exceptions';
import { baseModels, fieldsFor, type FieldDef, type ModelDef, type OdooVersion } from './models';
import { pyRepr } from './pyrepr';

export interface OrmOptions {
  version: OdooVersion;
  /** Whether the server has the Python `phonenumbers` library (phone_sanitized in E.164, or the raw text). */
  phonenumbers: boolean;
  /** Clock for create_date/write_date (tests may freeze it). */
  now?: () => Date;
}

export const ADMIN_UID = 2;
export const ADMIN_PARTNER_ID = 3;

export function formatDatetime(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validCalendar(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/** `fields.Datetime.to_datetime`: first 19 characters, a date alone means midnight, else `%Y-%m-%d %H:%M:%S`. */
export function toDatetime(value: string): string {
  let v = value.slice(0, 19);
  if (v.length === 10) v += ' 00:00:00';
  const m = DATETIME_RE.exec(v);
  if (!m || !validCalendar(+m[1]!, +m[2]!, +m[3]!) || +m[4]! > 23 || +m[5]! > 59 || +m[6]! > 59) {
    throw valueError(`time data ${pyRepr(v)} does not match format '%Y-%m-%d %H:%M:%S'`);
  }
  return v;
}

function toDate(value: string): string {
  const v = value.slice(0, 10);
  const m = DATE_RE.exec(v);
  if (!m || !validCalendar(+m[1]!, +m[2]!, +m[3]!)) throw valueError(`time data ${pyRepr(v)} does not match format '%Y-%m-%d'`);
  return v;
}

/** markupsafe.escape: what Odoo 17+ does to a plain-str message_post body. */
export function markupEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}

/**
 * Odoo's html sanitizer (lxml) wraps text that does not start with an element in a paragraph; stray `&` and `<`
 * in that text come out as entities.
 */
function sanitizeHtml(s: string): string {
  if (s === '' || /^\s*</.test(s)) return s;
  return `<p>${s.replace(/&(?![a-zA-Z]+;|#\d+;|#x[\da-fA-F]+;)/g, '&amp;').replace(/<(?![a-zA-Z/!])/g, '&lt;')}</p>`;
}

/** `email_normalize`: the single address of the text, lower-cased; false when there is none. */
export function emailNormalize(text: unknown): string | false {
  if (typeof text !== 'string') return false;
  const found = text.match(/[^\s<>,;"']+@[^\s<>,;"']+/g);
  if (!found || found.length !== 1) return false;
  return found[0]!.toLowerCase();
}

const MAGIC = new Set(['create_date', 'write_date', 'create_uid', 'write_uid', 'display_name']);
/** Stored computed fields the ORM recomputes; values written to them are ignored. */
const COMPUTED: Record<string, string[]> = {
  'res.partner': ['email_normalized', 'phone_sanitized', 'partner_share'],
  'calendar.event': ['duration'],
  'calendar.attendee': ['common_name', 'email'],
  'ir.model.fields': ['model'],
  'mail.activity': ['res_model'],
};

/** Who writes, and the call's context (keys such as `no_mail_to_attendees` change what a write does). */
export interface WriteCtx {
  uid: number;
  fixture?: boolean;
  context?: Record<string, unknown>;
}

/** Fixture file: records per model as `read` returns them (many2one as id, x2many as id lists). */
export type OdooFixtures = Record<string, Array<Record<string, unknown>>>;

export class OdooDatabase implements DomainStore {
  readonly version: OdooVersion;
  readonly phonenumbers: boolean;
  readonly models: Record<string, ModelDef>;
  private readonly tables = new Map<string, Map<number, RecordValues>>();
  private readonly nextIds = new Map<string, number>();
  private readonly now: () => Date;
  private readonly evaluator: DomainEvaluator;

  constructor(opts: OrmOptions) {
    this.version = opts.version;
    this.phonenumbers = opts.phonenumbers;
    this.now = opts.now ?? (() => new Date());
    this.models = baseModels();
    for (const name of Object.keys(this.models)) this.tables.set(name, new Map());
    this.evaluator = new DomainEvaluator(this);
    this.seed();
  }

  // ---- DomainStore -------------------------------------------------------------------------------------------
  fieldsOf(model: string): Record<string, FieldDef> {
    const def = this.models[model];
    return def ? fieldsFor(def, this.version) : {};
  }
  get(model: string, id: number): RecordValues | undefined {
    return this.tables.get(model)?.get(id);
  }
  ids(model: string): number[] {
    return [...(this.tables.get(model)?.keys() ?? [])];
  }
  displayName(model: string, id: number): string {
    const rec = this.get(model, id);
    if (!rec) return '';
    const def = this.models[model]!;
    if (model === 'res.partner' && typeof rec.parent_id === 'number' && !rec.is_company) {
      const parent = this.get('res.partner', rec.parent_id);
      if (parent?.name) return `${String(parent.name)}, ${String(rec.name || '')}`.trim();
    }
    const v = rec[def.recName];
    return typeof v === 'string' ? v : `${model},${id}`;
  }
  inverseIds(relation: string, inverse: string, id: number): number[] {
    const out: number[] = [];
    for (const [rid, rec] of this.tables.get(relation) ?? []) if (rec[inverse] === id) out.push(rid);
    return out.sort((a, b) => a - b);
  }

  hasModel(model: string): boolean {
    return model in this.models;
  }

  // ---- fresh database ----------------------------------------------------------------------------------------
  private raw(model: string, id: number, values: RecordValues): void {
    const stamp = formatDatetime(this.now());
    this.tables.get(model)!.set(id, { create_date: stamp, write_date: stamp, create_uid: 1, write_uid: 1, ...values });
    this.nextIds.set(model, Math.max(this.nextIds.get(model) ?? 1, id + 1));
  }

  /** What a fresh database holds: its company, OdooBot, the admin user, the standard calendar, activity types. */
  private seed(): void {
    const countries: Array<[number, string, string, number]> = [
      [75, 'France', 'FR', 33], [133, 'Madagascar', 'MG', 261], [20, 'Belgium', 'BE', 32], [43, 'Switzerland', 'CH', 41],
      [38, 'Canada', 'CA', 1], [135, 'Martinique', 'MQ', 596], [180, 'Réunion', 'RE', 262],
    ];
    for (const [id, name, code, phone_code] of countries) this.raw('res.country', id, { name, code, phone_code });
    this.raw('res.partner', 1, { name: 'My Company', is_company: true, active: true, type: 'contact', company_id: 1, country_id: false, email: false, phone: false, mobile: false });
    this.raw('res.partner', 2, { name: 'OdooBot', is_company: false, active: false, type: 'contact', company_id: false, country_id: false, email: 'odoobot@example.com', phone: false, mobile: false });
    this.raw('res.partner', ADMIN_PARTNER_ID, { name: 'Administrator', is_company: false, active: true, type: 'contact', company_id: 1, country_id: false, email: 'admin@example.com', phone: false, mobile: false, parent_id: false });
    this.raw('res.company', 1, { name: 'My Company', partner_id: 1, country_id: false, resource_calendar_id: 1, sequence: 10 });
    this.raw('res.users', 1, { name: 'OdooBot', login: '__system__', partner_id: 2, company_id: 1, active: false, tz: false, share: false });
    this.raw('res.users', ADMIN_UID, { name: 'Administrator', login: 'admin', partner_id: ADMIN_PARTNER_ID, company_id: 1, active: true, tz: 'Europe/Paris', share: false });
    for (const id of [1, 2, ADMIN_PARTNER_ID]) this.recompute('res.partner', id);
    this.raw('resource.calendar', 1, { name: 'Standard 40 hours/week', tz: 'UTC', company_id: 1, hours_per_day: 8, active: true });
    let aid = 1;
    for (let day = 0; day < 5; day++) {
      const dayName = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'][day]!;
      this.raw('resource.calendar.attendance', aid++, { name: `${dayName} Morning`, dayofweek: String(day), hour_from: 8, hour_to: 12, day_period: 'morning', calendar_id: 1, sequence: 10 });
      this.raw('resource.calendar.attendance', aid++, { name: `${dayName} Afternoon`, dayofweek: String(day), hour_from: 13, hour_to: 17, day_period: 'afternoon', calendar_id: 1, sequence: 10 });
    }
    const types: Array<[number, string, string, string]> = [
      [1, 'Email', 'default', 'mail_activity_data_email'], [2, 'Call', 'phonecall', 'mail_activity_data_call'],
      [3, 'Meeting', 'meeting', 'mail_activity_data_meeting'], [4, 'To-Do', 'default', 'mail_activity_data_todo'],
    ];
    let xid = 1;
    for (const [id, name, category, xml] of types) {
      this.raw('mail.activity.type', id, { name, category, sequence: id, active: true });
      this.raw('ir.model.data', xid++, { module: 'mail', name: xml, model: 'mail.activity.type', res_id: id });
    }
    for (const [module, name, m, id] of [
      ['base', 'main_company', 'res.company', 1], ['base', 'main_partner', 'res.partner', 1], ['base', 'partner_root', 'res.partner', 2],
      ['base', 'partner_admin', 'res.partner', ADMIN_PARTNER_ID], ['base', 'user_root', 'res.users', 1], ['base', 'user_admin', 'res.users', ADMIN_UID],
      ['base', 'fr', 'res.country', 75], ['base', 'mg', 'res.country', 133], ['resource', 'resource_calendar_std', 'resource.calendar', 1],
    ] as const) this.raw('ir.model.data', xid++, { module, name, model: m, res_id: id });
    // crm_iap_enrich is installed with crm: its cron enriches leads, and crm.iap.lead.enrich.setting is unset ('auto')
    this.raw('ir.cron', 1, { name: 'CRM: enrich leads (IAP)', active: true, priority: 5 });
    this.raw('ir.model.data', xid++, { module: 'crm_iap_enrich', name: 'ir_cron_lead_enrichment', model: 'ir.cron', res_id: 1 });
    Object.values(this.models).forEach((def, i) => this.raw('ir.model', i + 1, { name: def.description, model: def.name }));
  }

  // ---- writing -----------------------------------------------------------------------------------------------
  private table(model: string): Map<number, RecordValues> {
    const t = this.tables.get(model);
    if (!t) throw valueError(`Invalid model ${pyRepr(model)}`);
    return t;
  }

  private fieldForWrite(model: string, name: string): FieldDef {
    const f = this.fieldsOf(model)[name];
    if (!f) throw valueError(`Invalid field ${pyRepr(name)} on model ${pyRepr(model)}`);
    return f;
  }

  /** Converts one written value to the stored form (`convert_to_cache`), raising Odoo's errors on bad input. */
  private convert(model: string, name: string, f: FieldDef, value: unknown): unknown {
    const empty = value === false || value === null || value === undefined;
    switch (f.type) {
      case 'char': case 'text':
        return empty ? false : typeof value === 'string' ? value : String(value);
      case 'html':
        return empty ? false : sanitizeHtml(typeof value === 'string' ? value : String(value));
      case 'integer':
        if (empty) return 0;
        if (typeof value !== 'number' || !Number.isFinite(value)) throw valueError(`invalid literal for int() with base 10: ${pyRepr(value)}`);
        return Math.trunc(value);
      case 'float':
        if (empty) return 0;
        if (typeof value !== 'number' || !Number.isFinite(value)) throw valueError(`could not convert string to float: ${pyRepr(value)}`);
        return value;
      case 'boolean':
        return Boolean(value);
      case 'date':
        if (empty) return false;
        if (typeof value !== 'string') throw valueError(`time data ${pyRepr(value)} does not match format '%Y-%m-%d'`);
        return toDate(value);
      case 'datetime':
        if (empty) return false;
        if (typeof value !== 'string') throw valueError(`time data ${pyRepr(value)} does not match format '%Y-%m-%d %H:%M:%S'`);
        return toDatetime(value);
      case 'selection': {
        if (empty) return false;
        const allowed = (f.selection ?? []).map(([k]) => k);
        if (typeof value !== 'string' || (allowed.length > 0 && !allowed.includes(value) && !f.manual)) {
          throw valueError(`Wrong value for ${model}.${name}: ${pyRepr(value)}`);
        }
        return value;
      }
      case 'many2one': {
        if (empty) return false;
        const id = Array.isArray(value) ? value[0] : value;
        if (typeof id !== 'number' || !Number.isInteger(id)) throw valueError(`Wrong value for ${model}.${name}: ${pyRepr(value)}`);
        if (!this.get(f.relation!, id)) {
          throw validationError(
            `The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\n` +
              `Model: ${this.models[model]!.description} (${model})\nConstraint: ${model.replace(/\./g, '_')}_${name}_fkey\n`,
          );
        }
        return id;
      }
      default:
        return value;
    }
  }

  /** Applies x2many commands; many2many returns the new id list, one2many acts on the comodel directly. */
  private applyX2many(model: string, id: number, name: string, f: FieldDef, value: unknown, uid: number): number[] | undefined {
    const bad = () => valueError(`Wrong value for ${model}.${name}: ${pyRepr(value)}`);
    if (value === false || value === null) value = [[5]];
    if (!Array.isArray(value)) throw bad();
    const rec = this.get(model, id)!;
    const current = (): number[] => (f.type === 'many2many' ? [...((rec[name] as number[] | undefined) ?? [])] : this.inverseIds(f.relation!, f.inverse!, id));
    // a plain list of ids means "replace with these"
    const commands: unknown[][] = value.every((x) => typeof x === 'number') ? [[6, 0, value]] : (value as unknown[][]);
    let ids = current();
    for (const cmd of commands) {
      if (!Array.isArray(cmd) || typeof cmd[0] !== 'number') throw bad();
      const [op, target, vals] = cmd as [number, unknown, unknown];
      const checkId = (x: unknown): number => {
        if (typeof x !== 'number' || !Number.isInteger(x)) throw bad();
        return x;
      };
      switch (op) {
        case 0: {
          if (typeof vals !== 'object' || vals === null || Array.isArray(vals)) throw bad();
          const extra = f.type === 'one2many' ? { [f.inverse!]: id } : {};
          ids.push(this.create(f.relation!, { ...(vals as RecordValues), ...extra }, { uid }));
          break;
        }
        case 1:
          if (typeof vals !== 'object' || vals === null) throw bad();
          this.write(f.relation!, [checkId(target)], vals as RecordValues, { uid });
          break;
        case 2:
          this.unlink(f.relation!, [checkId(target)]);
          ids = ids.filter((x) => x !== target);
          break;
        case 3:
          if (f.type === 'one2many') this.detach(f, checkId(target));
          ids = ids.filter((x) => x !== target);
          break;
        case 4: {
          const t = checkId(target);
          if (!this.get(f.relation!, t)) throw missingError(this.missingMessage(f.relation!, [t], uid));
          if (f.type === 'one2many') this.table(f.relation!).get(t)![f.inverse!] = id;
          if (!ids.includes(t)) ids.push(t);
          break;
        }
        case 5:
          if (f.type === 'one2many') ids.forEach((t) => this.detach(f, t));
          ids = [];
          break;
        case 6: {
          if (!Array.isArray(vals)) throw bad();
          const next = vals.map(checkId);
          for (const t of next) if (!this.get(f.relation!, t)) throw missingError(this.missingMessage(f.relation!, [t], uid));
          if (f.type === 'one2many') {
            ids.filter((t) => !next.includes(t)).forEach((t) => this.detach(f, t));
            next.forEach((t) => (this.table(f.relation!).get(t)![f.inverse!] = id));
          }
          ids = [...new Set(next)];
          break;
        }
        default:
          throw bad();
      }
    }
    return f.type === 'many2many' ? [...new Set(ids)] : undefined;
  }

  /** Removing a record from a one2many: a required inverse means the record goes (ondelete cascade). */
  private detach(f: FieldDef, target: number): void {
    const inv = this.fieldsOf(f.relation!)[f.inverse!];
    if (inv?.required) this.unlink(f.relation!, [target]);
    else {
      const r = this.get(f.relation!, target);
      if (r) r[f.inverse!] = false;
    }
  }

  missingMessage(model: string, ids: number[], uid: number): string {
    const shown = ids.slice(0, 6);
    return `Record does not exist or has been deleted.\n(Record: ${model}(${shown.join(', ')}${shown.length === 1 ? ',' : ''}), User: ${uid})`;
  }

  create(model: string, vals: RecordValues, ctx: WriteCtx): number {
    const fields = this.fieldsOf(model);
    const table = this.table(model);
    for (const k of Object.keys(vals)) this.fieldForWrite(model, k);
    const fixedId = ctx.fixture && typeof vals.id === 'number' ? vals.id : undefined;
    const id = fixedId ?? this.nextIds.get(model) ?? 1;
    this.nextIds.set(model, Math.max(this.nextIds.get(model) ?? 1, id + 1));
    const stamp = formatDatetime(this.now());
    const rec: RecordValues = { create_date: stamp, write_date: stamp, create_uid: ctx.uid, write_uid: ctx.uid };
    for (const [name, f] of Object.entries(fields)) {
      if (f.type === 'one2many' || name === 'id' || f.store === false || name in rec) continue;
      if (f.type === 'many2many') rec[name] = [];
      else if (f.default !== undefined) rec[name] = f.default;
      else rec[name] = f.type === 'integer' || f.type === 'float' ? 0 : f.type === 'boolean' ? false : false;
    }
    this.applyDefaults(model, rec, vals, ctx);
    table.set(id, rec);
    try {
      this.assign(model, id, vals, ctx.uid);
      this.checkRequired(model, id);
      this.recompute(model, id);
      this.constraints(model, id);
      this.afterWrite(model, id, vals, ctx, true);
    } catch (e) {
      table.delete(id);
      throw e;
    }
    return id;
  }

  private applyDefaults(model: string, rec: RecordValues, vals: RecordValues, ctx: { uid: number; fixture?: boolean }): void {
    if (model === 'calendar.event') {
      if (!('user_id' in vals)) rec.user_id = ctx.uid;
      // Odoo invites the organizer's partner when no attendee is given; fixtures say exactly what exists
      if (!('partner_ids' in vals) && !ctx.fixture) rec.partner_ids = [ADMIN_PARTNER_ID];
    }
    if (model === 'res.partner' && !('company_id' in vals)) rec.company_id = false;
    if (model === 'mail.activity') {
      if (!('user_id' in vals)) rec.user_id = ctx.uid;
      if (!('date_deadline' in vals)) rec.date_deadline = formatDatetime(this.now()).slice(0, 10);
    }
    if (model === 'crm.lead' && !('user_id' in vals)) rec.user_id = ctx.uid;
    if (model === 'mail.message') {
      if (!('author_id' in vals)) rec.author_id = ADMIN_PARTNER_ID;
      if (!('date' in vals)) rec.date = formatDatetime(this.now());
    }
  }

  private assign(model: string, id: number, vals: RecordValues, uid: number): void {
    const fields = this.fieldsOf(model);
    const rec = this.get(model, id)!;
    const deferred: Array<[string, FieldDef, unknown]> = [];
    for (const [name, value] of Object.entries(vals)) {
      // the ORM drops writes to magic columns and to computed fields without inverse
      if (name === 'id' || MAGIC.has(name) || COMPUTED[model]?.includes(name)) continue;
      const f = fields[name]!;
      if (f.type === 'one2many' || f.type === 'many2many') deferred.push([name, f, value]);
      else if (f.store === false) continue;
      else rec[name] = this.convert(model, name, f, value);
    }
    for (const [name, f, value] of deferred) {
      const ids = this.applyX2many(model, id, name, f, value, uid);
      if (ids) rec[name] = ids;
    }
  }

  private checkRequired(model: string, id: number): void {
    const rec = this.get(model, id)!;
    const def = this.models[model]!;
    for (const [name, f] of Object.entries(this.fieldsOf(model))) {
      if (!f.required || f.type === 'one2many' || f.type === 'many2many' || f.type === 'boolean') continue;
      const v = rec[name];
      if (v === false || v === null || v === undefined || v === '') {
        throw validationError(
          'The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n' +
            `Model: ${def.description} (${model})\nField: ${f.string} (${name})\n`,
        );
      }
    }
  }

  /** Stored computed fields. */
  private recompute(model: string, id: number): void {
    const rec = this.get(model, id)!;
    if (model === 'res.partner') {
      rec.email_normalized = emailNormalize(rec.email);
      rec.phone_sanitized = this.sanitizePhone(rec);
      rec.partner_share = this.partnerShare(id);
    } else if (model === 'calendar.event') {
      if (typeof rec.start === 'string' && typeof rec.stop === 'string') {
        const ms = Date.parse(`${rec.stop.replace(' ', 'T')}Z`) - Date.parse(`${rec.start.replace(' ', 'T')}Z`);
        rec.duration = Math.round((ms / 3_600_000) * 100) / 100;
      }
    } else if (model === 'calendar.attendee') {
      const p = typeof rec.partner_id === 'number' ? this.get('res.partner', rec.partner_id) : undefined;
      rec.common_name = p?.name ?? false;
      rec.email = p?.email ?? false;
    } else if (model === 'mail.activity') {
      // res_model is related to res_model_id.model: callers must give res_model_id (an ir.model id)
      if (typeof rec.res_model_id === 'number') rec.res_model = this.get('ir.model', rec.res_model_id)?.model ?? false;
    } else if (model === 'res.users') {
      const p = typeof rec.partner_id === 'number' ? this.get('res.partner', rec.partner_id) : undefined;
      if (p && !rec.name) rec.name = p.name;
      if (p) this.recompute('res.partner', rec.partner_id as number);
    } else if (model === 'ir.model.fields') {
      if (typeof rec.model_id === 'number') rec.model = this.get('ir.model', rec.model_id)?.model ?? false;
    }
  }

  /**
   * `partner_share` (res_partner.py): false for the superuser's partner and for a partner with an active internal
   * user (share = false); true otherwise (customers, portal users).
   */
  private partnerShare(partnerId: number): boolean {
    if (this.get('res.users', 1)?.partner_id === partnerId) return false;
    const users = this.ids('res.users').map((u) => this.get('res.users', u)!).filter((u) => u.partner_id === partnerId && u.active !== false);
    return users.every((u) => u.share === true);
  }

  /**
   * `phone_sanitized`: with the phonenumbers library, E.164 of mobile then phone using the partner's country
   * (else the company's); without it Odoo keeps the text as typed.
   */
  private sanitizePhone(rec: RecordValues): string | false {
    const numbers = ['mobile', 'phone'].filter((n) => n in this.fieldsOf('res.partner')).map((n) => rec[n]);
    for (const n of numbers) {
      if (typeof n !== 'string' || n.trim() === '') continue;
      if (!this.phonenumbers) return n;
      const countryId = typeof rec.country_id === 'number' ? rec.country_id : (this.get('res.company', 1)?.country_id as number | false);
      const code = typeof countryId === 'number' ? (this.get('res.country', countryId)?.code as string | undefined) : undefined;
      const parsed = parsePhoneNumberFromString(n, code as CountryCode | undefined);
      if (parsed?.isValid()) return parsed.number;
    }
    return false;
  }

  private constraints(model: string, id: number): void {
    const rec = this.get(model, id)!;
    if (model === 'res.partner' && rec.type === 'contact' && !rec.name) {
      throw validationError(`The operation cannot be completed: ${this.version >= 18 ? 'Contacts require a name' : 'Contacts require a name.'}`);
    }
    if (model === 'calendar.event' && !rec.allday && typeof rec.start === 'string' && typeof rec.stop === 'string' && rec.stop < rec.start) {
      // 16 words the second line differently
      const second = this.version >= 17
        ? `Meeting “${String(rec.name)}” starts at ${rec.start} and ends at ${rec.stop}`
        : `Meeting '${String(rec.name)}' starts '${rec.start}' and ends '${rec.stop}'`;
      throw validationError(`The ending date and time cannot be earlier than the starting date and time.\n${second}`);
    }
    if (model === 'ir.model.fields' && typeof rec.name === 'string' && !rec.name.startsWith('x_') && rec.state === 'manual') {
      throw validationError("Custom fields must have a name that starts with 'x_'!");
    }
  }

  /** Side effects: attendees follow an event's partners, custom fields join their model, recomputes of dependants. */
  private afterWrite(model: string, id: number, vals: RecordValues, ctx: WriteCtx, creating: boolean): void {
    const rec = this.get(model, id)!;
    if (model === 'crm.lead') this.leadContactToPartner(rec, vals, ctx);
    if (model === 'crm.lead' && creating && !ctx.fixture) this.triggerLeadEnrichment(ctx);
    if (model === 'calendar.event' && !creating && 'start' in vals && !ctx.fixture) this.queueDateUpdatedMail(id, ctx);
    if (model === 'calendar.event' && ('partner_ids' in vals || creating)) {
      const partners = (rec.partner_ids as number[]) ?? [];
      const attendees = this.inverseIds('calendar.attendee', 'event_id', id);
      const have = new Map(attendees.map((a) => [this.get('calendar.attendee', a)!.partner_id as number, a]));
      for (const p of partners) if (!have.has(p)) this.create('calendar.attendee', { event_id: id, partner_id: p }, { uid: ctx.uid });
      for (const [p, a] of have) if (!partners.includes(p)) this.unlink('calendar.attendee', [a]);
    }
    if (model === 'ir.model.fields' && creating && rec.state === 'manual') {
      const target = this.models[String(rec.model)];
      if (!target) throw valueError(`Invalid model ${pyRepr(rec.model)}`);
      const ttype = String(rec.ttype) as FieldDef['type'];
      if ((ttype === 'many2one' || ttype === 'many2many') && !this.models[String(rec.relation)]) {
        throw userError(`Model ${String(rec.relation)} does not exist!`);
      }
      target.fields[String(rec.name)] = {
        type: ttype, string: String(rec.field_description), required: Boolean(rec.required), readonly: Boolean(rec.readonly),
        manual: true, ...(typeof rec.relation === 'string' && rec.relation ? { relation: rec.relation } : {}),
      };
      for (const r of this.tables.get(target.name)!.values()) r[String(rec.name)] = ttype === 'many2many' ? [] : ttype === 'boolean' ? false : ttype === 'integer' || ttype === 'float' ? 0 : false;
    }
    if (model === 'res.partner' && !creating) {
      for (const a of this.ids('calendar.attendee')) if (this.get('calendar.attendee', a)!.partner_id === id) this.recompute('calendar.attendee', a);
    }
  }

  /**
   * crm.lead's email_from/phone are computed from the partner and their inverse writes them back onto it: a lead
   * linked to a partner with another address or number changes that partner (observed on Odoo 19). Empty values
   * are filled from the partner instead.
   */
  private leadContactToPartner(lead: RecordValues, vals: RecordValues, ctx: WriteCtx): void {
    const partnerId = lead.partner_id;
    if (typeof partnerId !== 'number') return;
    const partner = this.get('res.partner', partnerId);
    if (!partner) return;
    const update: RecordValues = {};
    if ('email_from' in vals || 'partner_id' in vals) {
      if (typeof lead.email_from === 'string' && lead.email_from) {
        if (emailNormalize(lead.email_from) !== emailNormalize(partner.email)) update.email = lead.email_from;
      } else if (typeof partner.email === 'string' && partner.email) lead.email_from = partner.email;
    }
    if ('phone' in vals || 'partner_id' in vals) {
      if (typeof lead.phone === 'string' && lead.phone) {
        if (this.phoneFormatted(lead.phone) !== this.phoneFormatted(partner.phone)) update.phone = lead.phone;
      } else if (typeof partner.phone === 'string' && partner.phone) lead.phone = partner.phone;
    }
    if (Object.keys(update).length > 0) this.write('res.partner', [partnerId], update, { uid: ctx.uid, context: ctx.context });
  }

  /**
   * crm_iap_enrich's crm.lead.create: unless `crm.iap.lead.enrich.setting` is 'manual' (unset means 'auto'), it
   * triggers the enrichment cron, which sends the new leads' e-mail domains to Odoo's outside IAP service.
   */
  private triggerLeadEnrichment(ctx: WriteCtx): void {
    const param = this.ids('ir.config_parameter').map((i) => this.get('ir.config_parameter', i)!).find((p) => p.key === 'crm.iap.lead.enrich.setting');
    if ((param?.value ?? 'auto') !== 'auto') return;
    const xml = this.ids('ir.model.data').map((i) => this.get('ir.model.data', i)!).find((d) => d.module === 'crm_iap_enrich' && d.name === 'ir_cron_lead_enrichment');
    const cronId = typeof xml?.res_id === 'number' ? xml.res_id : undefined;
    if (cronId === undefined || !this.get('ir.cron', cronId)) return;
    this.create('ir.cron.trigger', { cron_id: cronId, call_at: formatDatetime(this.now()) }, { uid: ctx.uid });
  }

  /** `_phone_format`: the number in one spelling with the phonenumbers library; the raw text without it. */
  private phoneFormatted(v: unknown): string | false {
    if (typeof v !== 'string' || !v) return false;
    if (!this.phonenumbers) return v;
    const parsed = parsePhoneNumberFromString(v, 'FR');
    return parsed?.isValid() ? parsed.number : v;
  }

  /**
   * calendar.event.write with `start` queues Odoo's own "<name>: Date updated" mail to each attendee of an event to
   * come, except the writer, unless the context carries `no_mail_to_attendees` (calendar.attendee
   * _send_mail_to_attendees).
   */
  private queueDateUpdatedMail(id: number, ctx: WriteCtx): void {
    if (ctx.context?.no_mail_to_attendees) return;
    const ev = this.get('calendar.event', id)!;
    if (typeof ev.start !== 'string' || ev.start < formatDatetime(this.now())) return;
    const writer = this.get('res.users', ctx.uid)?.partner_id;
    for (const a of this.inverseIds('calendar.attendee', 'event_id', id)) {
      const p = this.get('calendar.attendee', a)!.partner_id;
      const partner = typeof p === 'number' ? this.get('res.partner', p) : undefined;
      if (!partner || p === writer || typeof partner.email !== 'string' || !partner.email) continue;
      this.create('mail.mail', {
        subject: `${String(ev.name)}: Date updated`, email_to: partner.email, recipient_ids: [p], model: 'calendar.event', res_id: id,
      }, { uid: ctx.uid });
    }
  }

  write(model: string, ids: number[], vals: RecordValues, ctx: WriteCtx): true {
    this.table(model);
    for (const k of Object.keys(vals)) this.fieldForWrite(model, k);
    const missing = ids.filter((i) => !this.get(model, i));
    if (missing.length) throw missingError(this.missingMessage(model, missing, ctx.uid));
    const snapshot = new Map(ids.map((i) => [i, { ...this.get(model, i)! }]));
    try {
      for (const id of ids) {
        this.assign(model, id, vals, ctx.uid);
        const rec = this.get(model, id)!;
        rec.write_date = formatDatetime(this.now());
        rec.write_uid = ctx.uid;
        this.checkRequired(model, id);
        this.recompute(model, id);
        this.constraints(model, id);
        this.afterWrite(model, id, vals, ctx, false);
      }
    } catch (e) {
      for (const [i, rec] of snapshot) this.table(model).set(i, rec);
      throw e;
    }
    return true;
  }

  unlink(model: string, ids: number[], uid = ADMIN_UID): true {
    const table = this.table(model);
    const missing = ids.filter((i) => !table.has(i));
    if (missing.length) throw missingError(this.missingMessage(model, missing, uid));
    for (const id of ids) {
      table.delete(id);
      // cascade one2many children whose inverse is required, null the others, drop many2many links
      for (const [m, def] of Object.entries(this.models)) {
        for (const [fname, f] of Object.entries(fieldsFor(def, this.version))) {
          if (f.relation !== model) continue;
          for (const [rid, rec] of this.tables.get(m)!) {
            if (f.type === 'many2one' && rec[fname] === id) {
              if (f.required) this.unlink(m, [rid], uid);
              else rec[fname] = false;
            } else if (f.type === 'many2many' && Array.isArray(rec[fname])) {
              rec[fname] = (rec[fname] as number[]).filter((x) => x !== id);
            }
          }
        }
      }
    }
    return true;
  }

  /**
   * Loads fixture records as stored rows (ids kept), then checks their references, recomputes computed fields,
   * runs the constraints, and creates the attendees an event implies unless the fixture lists attendees itself.
   */
  loadFixtures(fixtures: OdooFixtures): void {
    const where = (model: string, i: number) => `fixture ${model}[${i}]`;
    const loaded: Array<[string, number]> = [];
    for (const [model, rows] of Object.entries(fixtures)) {
      if (!this.models[model]) throw new Error(`${where(model, 0)}: unknown model '${model}' (known: ${Object.keys(this.models).join(', ')})`);
      const fields = this.fieldsOf(model);
      rows.forEach((row, i) => {
        if (typeof row.id !== 'number' || !Number.isInteger(row.id) || row.id <= 0) throw new Error(`${where(model, i)}: 'id' must be a positive integer`);
        const id = row.id;
        const existing = this.get(model, id);
        const stamp = formatDatetime(this.now());
        const rec: RecordValues = existing ?? { create_date: stamp, write_date: stamp, create_uid: ADMIN_UID, write_uid: ADMIN_UID };
        if (!existing) {
          for (const [name, f] of Object.entries(fields)) {
            if (f.type === 'one2many' || name === 'id' || f.store === false || name in rec) continue;
            rec[name] = f.type === 'many2many' ? [] : f.default !== undefined ? f.default : f.type === 'integer' || f.type === 'float' ? 0 : false;
          }
        }
        for (const [name, value] of Object.entries(row)) {
          if (name === 'id' || name === 'display_name') continue;
          const f = fields[name];
          if (!f) throw new Error(`${where(model, i)}: field '${name}' does not exist on ${model} in Odoo ${this.version}`);
          if (f.type === 'one2many' || f.store === false) continue; // implied by the children's many2one
          try {
            if (f.type === 'many2one') rec[name] = value === false || value === null ? false : Array.isArray(value) ? value[0] : value;
            else if (f.type === 'many2many') rec[name] = Array.isArray(value) ? [...value] : [];
            else if (name === 'create_date' || name === 'write_date') rec[name] = typeof value === 'string' ? toDatetime(value) : rec[name];
            else rec[name] = this.convert(model, name, f, value);
          } catch (e) {
            throw new Error(`${where(model, i)}.${name}: ${(e as Error).message}`);
          }
        }
        this.table(model).set(id, rec);
        this.nextIds.set(model, Math.max(this.nextIds.get(model) ?? 1, id + 1));
        loaded.push([model, id]);
      });
    }
    const attendeesListed = new Set((fixtures['calendar.attendee'] ?? []).map((a) => (Array.isArray(a.event_id) ? a.event_id[0] : a.event_id)));
    for (const [model, id] of loaded) {
      const rec = this.get(model, id)!;
      for (const [name, f] of Object.entries(this.fieldsOf(model))) {
        if (!f.relation || f.type === 'one2many') continue;
        const refs = f.type === 'many2one' ? (typeof rec[name] === 'number' ? [rec[name] as number] : []) : ((rec[name] as number[] | undefined) ?? []);
        for (const r of refs) {
          if (!this.get(f.relation, r)) throw new Error(`fixture ${model} id ${id}: ${name} points at ${f.relation} id ${r}, which does not exist`);
        }
      }
    }
    for (const [model, id] of loaded) {
      this.recompute(model, id);
      try {
        this.checkRequired(model, id);
        this.constraints(model, id);
      } catch (e) {
        throw new Error(`fixture ${model} id ${id}: ${(e as Error).message}`);
      }
      if (model === 'calendar.event' && !attendeesListed.has(id)) this.afterWrite(model, id, { partner_ids: true }, { uid: ADMIN_UID }, false);
    }
  }

  // ---- reading -----------------------------------------------------------------------------------------------
  search(model: string, domain: unknown, opts: { offset?: number; limit?: number | null; order?: string | null; activeTest?: boolean } = {}): number[] {
    const table = this.table(model);
    const node = parseDomain(domain ?? []);
    this.evaluator.check(model, node);
    const fields = this.fieldsOf(model);
    const filterActive = 'active' in fields && opts.activeTest !== false && !domainMentions(node, 'active');
    let ids = [...table.keys()].filter((id) => (!filterActive || table.get(id)!.active !== false) && this.evaluator.matches(model, id, node));
    ids = this.sort(model, ids, opts.order || this.models[model]!.order);
    const offset = opts.offset ?? 0;
    return opts.limit ? ids.slice(offset, offset + opts.limit) : ids.slice(offset);
  }

  private sort(model: string, ids: number[], order: string): number[] {
    const fields = this.fieldsOf(model);
    const keys = order.split(',').map((s) => s.trim()).filter(Boolean).map((part) => {
      const m = /^([\w.]+)(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?$/i.exec(part);
      if (!m || (m[1] !== 'id' && !fields[m[1]!])) throw valueError(`Invalid "order" specified (${order}). A valid "order" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)`);
      return { field: m[1]!, desc: (m[2] ?? 'asc').toLowerCase() === 'desc' };
    });
    const value = (id: number, field: string): unknown => {
      if (field === 'id') return id;
      const f = fields[field]!;
      const v = this.get(model, id)![field];
      if (f.type === 'many2one') return typeof v === 'number' ? this.displayName(f.relation!, v) : false;
      return v;
    };
    return ids.sort((a, b) => {
      for (const k of keys) {
        const va = value(a, k.field);
        const vb = value(b, k.field);
        if (va === vb) continue;
        // Postgres puts NULLs last ascending and first descending
        const na = va === false || va === null || va === undefined;
        const nb = vb === false || vb === null || vb === undefined;
        let c: number;
        if (na || nb) c = na ? 1 : -1;
        else c = (va as number | string) < (vb as number | string) ? -1 : 1;
        return k.desc ? -c : c;
      }
      return a - b;
    });
  }

  /** `read`: missing ids are skipped; many2one as [id, display name] or false; search-only fields refused. */
  read(model: string, ids: number[], fieldNames?: string[] | null): RecordValues[] {
    const fields = this.fieldsOf(model);
    const names = fieldNames && fieldNames.length > 0 ? fieldNames : Object.keys(fields).filter((n) => fields[n]!.store !== false || n === 'display_name');
    for (const n of names) if (!fields[n]) throw valueError(`Invalid field ${pyRepr(n)} on model ${pyRepr(model)}`);
    const out: RecordValues[] = [];
    for (const id of ids) {
      const rec = this.get(model, id);
      if (!rec) continue;
      const row: RecordValues = { id };
      for (const n of names) {
        if (n === 'id') continue;
        const f = fields[n]!;
        if (n === 'display_name') row[n] = this.displayName(model, id);
        else if (f.store === false) row[n] = false;
        else if (f.type === 'many2one') row[n] = typeof rec[n] === 'number' ? [rec[n], this.displayName(f.relation!, rec[n] as number)] : false;
        else if (f.type === 'one2many') row[n] = this.inverseIds(f.relation!, f.inverse!, id);
        else if (f.type === 'many2many') row[n] = [...((rec[n] as number[] | undefined) ?? [])];
        else row[n] = rec[n] ?? false;
      }
      out.push(row);
    }
    return out;
  }

  fieldsGet(model: string, allfields?: string[] | null, attributes?: string[] | null): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [name, f] of Object.entries(this.fieldsOf(model))) {
      if (allfields && allfields.length && !allfields.includes(name)) continue;
      const desc: Record<string, unknown> = {
        type: f.type, string: f.string, required: Boolean(f.required), readonly: Boolean(f.readonly),
        store: f.store !== false, searchable: true, sortable: f.store !== false, manual: Boolean(f.manual),
      };
      if (f.relation) desc.relation = f.relation;
      if (f.selection) desc.selection = f.selection;
      if (attributes && attributes.length) for (const k of Object.keys(desc)) if (!attributes.includes(k)) delete desc[k];
      out[name] = desc;
    }
    return out;
  }
}
