/**
 * The models, fields and per-version field sets the simulated Odoo serves: only what the product uses, with the
 * attributes `fields_get` reports (type, string, required, readonly, relation, selection, store).
 */
export type OdooVersion = 16 | 17 | 18 | 19;

export type FieldType =
  | 'char' | 'text' | 'html' | 'integer' | 'float' | 'boolean' | 'date' | 'datetime' | 'selection'
  | 'many2one' | 'one2many' | 'many2many';

export interface FieldDef {
  type: FieldType;
  string: string;
  required?: boolean;
  readonly?: boolean;
  relation?: string;
  /** one2many: the many2one field on the comodel pointing back. */
  inverse?: string;
  selection?: Array<[string, string]>;
  /** false for search-only fields (phone_mobile_search): not readable, only searchable. */
  store?: boolean;
  default?: unknown;
  /** versions where the field exists (all when omitted). */
  versions?: OdooVersion[];
  /** manual (custom x_) field created through ir.model.fields. */
  manual?: boolean;
}

export interface ModelDef {
  name: string;
  description: string;
  /** `_order` used when a search gives no order. */
  order: string;
  /** field holding the display name (`_rec_name`). */
  recName: string;
  fields: Record<string, FieldDef>;
  /** mail.thread models accept message_post. */
  mailThread?: boolean;
}

const TZ_SELECTION: Array<[string, string]> = [
  ['UTC', 'UTC'], ['Europe/Paris', 'Europe/Paris'], ['Indian/Antananarivo', 'Indian/Antananarivo'],
  ['Europe/Brussels', 'Europe/Brussels'], ['Europe/Zurich', 'Europe/Zurich'], ['America/Montreal', 'America/Montreal'],
];

const audit: Record<string, FieldDef> = {
  id: { type: 'integer', string: 'ID', readonly: true },
  display_name: { type: 'char', string: 'Display Name', readonly: true, store: false },
  create_date: { type: 'datetime', string: 'Created on', readonly: true },
  write_date: { type: 'datetime', string: 'Last Updated on', readonly: true },
  create_uid: { type: 'many2one', string: 'Created by', readonly: true, relation: 'res.users' },
  write_uid: { type: 'many2one', string: 'Last Updated by', readonly: true, relation: 'res.users' },
};

function model(name: string, description: string, order: string, fields: Record<string, FieldDef>, extra: Partial<ModelDef> = {}): ModelDef {
  return { name, description, order, recName: 'name', fields: { ...audit, ...fields }, ...extra };
}

/** Fresh definitions for one simulator instance (manual fields are added to the copy, never to this template). */
export function baseModels(): Record<string, ModelDef> {
  const defs: ModelDef[] = [
    model('res.partner', 'Contact', 'name, id desc', {
      name: { type: 'char', string: 'Name' },
      email: { type: 'char', string: 'Email' },
      phone: { type: 'char', string: 'Phone' },
      mobile: { type: 'char', string: 'Mobile', versions: [16, 17, 18] },
      email_normalized: { type: 'char', string: 'Normalized Email', readonly: true },
      phone_sanitized: { type: 'char', string: 'Sanitized Number', readonly: true },
      phone_mobile_search: { type: 'char', string: 'Phone/Mobile', store: false },
      active: { type: 'boolean', string: 'Active', default: true },
      type: {
        type: 'selection', string: 'Address Type', default: 'contact',
        selection: [['contact', 'Contact'], ['invoice', 'Invoice Address'], ['delivery', 'Delivery Address'], ['other', 'Other Address']],
      },
      is_company: { type: 'boolean', string: 'Is a Company', default: false },
      company_id: { type: 'many2one', string: 'Company', relation: 'res.company' },
      country_id: { type: 'many2one', string: 'Country', relation: 'res.country' },
      parent_id: { type: 'many2one', string: 'Related Company', relation: 'res.partner' },
      child_ids: { type: 'one2many', string: 'Contact', relation: 'res.partner', inverse: 'parent_id' },
      comment: { type: 'html', string: 'Notes' },
      lang: { type: 'char', string: 'Language' },
      tz: { type: 'selection', string: 'Timezone', selection: TZ_SELECTION },
      user_ids: { type: 'one2many', string: 'Users', relation: 'res.users', inverse: 'partner_id' },
      // stored compute: false for the partner of an internal user (and OdooBot's), true for customers and portal users
      partner_share: { type: 'boolean', string: 'Share Partner', readonly: true, default: true },
    }, { mailThread: true }),
    model('res.country', 'Country', 'name', {
      name: { type: 'char', string: 'Country Name', required: true },
      code: { type: 'char', string: 'Country Code' },
      phone_code: { type: 'integer', string: 'Country Calling Code' },
    }),
    model('res.company', 'Companies', 'sequence, name', {
      name: { type: 'char', string: 'Company Name', required: true },
      partner_id: { type: 'many2one', string: 'Partner', relation: 'res.partner', required: true },
      country_id: { type: 'many2one', string: 'Country', relation: 'res.country' },
      resource_calendar_id: { type: 'many2one', string: 'Default Working Hours', relation: 'resource.calendar' },
      sequence: { type: 'integer', string: 'Sequence', default: 10 },
    }),
    model('res.users', 'User', 'name, login', {
      name: { type: 'char', string: 'Name' },
      login: { type: 'char', string: 'Login', required: true },
      partner_id: { type: 'many2one', string: 'Related Partner', relation: 'res.partner', required: true },
      company_id: { type: 'many2one', string: 'Company', relation: 'res.company' },
      active: { type: 'boolean', string: 'Active', default: true },
      tz: { type: 'selection', string: 'Timezone', selection: TZ_SELECTION },
      // computed from the groups in Odoo (portal/public users are share); stored here as given, internal by default
      share: { type: 'boolean', string: 'Share User', default: false },
    }),
    model('crm.lead', 'Lead/Opportunity', 'priority desc, id desc', {
      name: { type: 'char', string: 'Opportunity', required: true },
      partner_id: { type: 'many2one', string: 'Customer', relation: 'res.partner' },
      contact_name: { type: 'char', string: 'Contact Name' },
      email_from: { type: 'char', string: 'Email' },
      phone: { type: 'char', string: 'Phone' },
      description: { type: 'html', string: 'Notes' },
      type: { type: 'selection', string: 'Type', required: true, default: 'lead', selection: [['lead', 'Lead'], ['opportunity', 'Opportunity']] },
      priority: { type: 'selection', string: 'Priority', default: '0', selection: [['0', 'Low'], ['1', 'Medium'], ['2', 'High'], ['3', 'Very High']] },
      user_id: { type: 'many2one', string: 'Salesperson', relation: 'res.users' },
      active: { type: 'boolean', string: 'Active', default: true },
      // crm_iap_enrich (installed with crm): leads not marked done are sent to Odoo's outside enrichment service
      iap_enrich_done: { type: 'boolean', string: 'Enrichment done', default: false },
    }, { mailThread: true }),
    model('calendar.event', 'Calendar Event', 'start desc', {
      name: { type: 'char', string: 'Meeting Subject', required: true },
      start: { type: 'datetime', string: 'Start', required: true },
      stop: { type: 'datetime', string: 'Stop', required: true },
      allday: { type: 'boolean', string: 'All Day', default: false },
      duration: { type: 'float', string: 'Duration' },
      partner_ids: { type: 'many2many', string: 'Attendees', relation: 'res.partner' },
      attendee_ids: { type: 'one2many', string: 'Participant', relation: 'calendar.attendee', inverse: 'event_id' },
      location: { type: 'char', string: 'Location' },
      videocall_location: { type: 'char', string: 'Meeting URL' },
      description: { type: 'html', string: 'Description' },
      user_id: { type: 'many2one', string: 'Organizer', relation: 'res.users' },
      res_model: { type: 'char', string: 'Document Model Name' },
      res_id: { type: 'integer', string: 'Document ID' },
      active: { type: 'boolean', string: 'Active', default: true },
    }, { mailThread: true }),
    model('calendar.attendee', 'Calendar Attendee Information', 'create_date, id', {
      event_id: { type: 'many2one', string: 'Meeting linked', relation: 'calendar.event', required: true },
      partner_id: { type: 'many2one', string: 'Attendee', relation: 'res.partner', required: true },
      state: {
        type: 'selection', string: 'Status', default: 'needsAction',
        selection: [['needsAction', 'Needs Action'], ['tentative', 'Maybe'], ['declined', 'No'], ['accepted', 'Yes']],
      },
      common_name: { type: 'char', string: 'Common name' },
      email: { type: 'char', string: 'Email', readonly: true },
    }, { recName: 'common_name' }),
    model('resource.calendar', 'Resource Working Time', 'id', {
      name: { type: 'char', string: 'Name', required: true },
      attendance_ids: { type: 'one2many', string: 'Working Time', relation: 'resource.calendar.attendance', inverse: 'calendar_id' },
      leave_ids: { type: 'one2many', string: 'Time Off', relation: 'resource.calendar.leaves', inverse: 'calendar_id' },
      tz: { type: 'selection', string: 'Timezone', required: true, default: 'UTC', selection: TZ_SELECTION },
      company_id: { type: 'many2one', string: 'Company', relation: 'res.company' },
      hours_per_day: { type: 'float', string: 'Average Hour per Day', default: 8 },
      active: { type: 'boolean', string: 'Active', default: true },
    }),
    model('resource.calendar.attendance', 'Work Detail', 'sequence, dayofweek, hour_from', {
      name: { type: 'char', string: 'Name', required: true },
      dayofweek: {
        type: 'selection', string: 'Day of Week', required: true, default: '0',
        selection: [['0', 'Monday'], ['1', 'Tuesday'], ['2', 'Wednesday'], ['3', 'Thursday'], ['4', 'Friday'], ['5', 'Saturday'], ['6', 'Sunday']],
      },
      hour_from: { type: 'float', string: 'Work from', required: true },
      hour_to: { type: 'float', string: 'Work to', required: true },
      day_period: { type: 'selection', string: 'Day Period', required: true, default: 'morning', selection: [['morning', 'Morning'], ['lunch', 'Break'], ['afternoon', 'Afternoon']] },
      calendar_id: { type: 'many2one', string: "Resource's Calendar", relation: 'resource.calendar', required: true },
      sequence: { type: 'integer', string: 'Sequence', default: 10 },
    }),
    model('resource.resource', 'Resources', 'id', {
      name: { type: 'char', string: 'Name', required: true },
      calendar_id: { type: 'many2one', string: 'Working Time', relation: 'resource.calendar' },
      user_id: { type: 'many2one', string: 'User', relation: 'res.users' },
      active: { type: 'boolean', string: 'Active', default: true },
    }),
    model('resource.calendar.leaves', 'Resource Time Off Detail', 'id', {
      name: { type: 'char', string: 'Reason' },
      date_from: { type: 'datetime', string: 'Start Date', required: true },
      date_to: { type: 'datetime', string: 'End Date', required: true },
      calendar_id: { type: 'many2one', string: 'Working Hours', relation: 'resource.calendar' },
      resource_id: { type: 'many2one', string: 'Resource', relation: 'resource.resource' },
    }),
    model('mail.activity.type', 'Activity Type', 'sequence, id', {
      name: { type: 'char', string: 'Name', required: true },
      category: { type: 'selection', string: 'Action', default: 'default', selection: [['default', 'None'], ['upload_file', 'Upload Document'], ['phonecall', 'Phonecall'], ['meeting', 'Meeting']] },
      sequence: { type: 'integer', string: 'Sequence', default: 10 },
      active: { type: 'boolean', string: 'Active', default: true },
    }),
    model('mail.activity', 'Activity', 'date_deadline, id', {
      res_model_id: { type: 'many2one', string: 'Document Model', relation: 'ir.model', required: true },
      res_model: { type: 'char', string: 'Related Document Model', readonly: true },
      res_id: { type: 'integer', string: 'Related Document ID', required: true },
      activity_type_id: { type: 'many2one', string: 'Activity Type', relation: 'mail.activity.type' },
      date_deadline: { type: 'date', string: 'Due Date', required: true },
      summary: { type: 'char', string: 'Summary' },
      note: { type: 'html', string: 'Note' },
      user_id: { type: 'many2one', string: 'Assigned to', relation: 'res.users', required: true },
    }, { recName: 'summary' }),
    model('mail.message', 'Message', 'id desc', {
      model: { type: 'char', string: 'Related Document Model' },
      res_id: { type: 'integer', string: 'Related Document ID' },
      body: { type: 'html', string: 'Contents' },
      subject: { type: 'char', string: 'Subject' },
      message_type: {
        type: 'selection', string: 'Type', required: true, default: 'comment',
        selection: [['email', 'Email'], ['comment', 'Comment'], ['notification', 'System notification'], ['user_notification', 'User Specific Notification']],
      },
      author_id: { type: 'many2one', string: 'Author', relation: 'res.partner' },
      date: { type: 'datetime', string: 'Date' },
      partner_ids: { type: 'many2many', string: 'Recipients', relation: 'res.partner' },
    }, { recName: 'subject' }),
    // what Odoo queues to send itself (e.g. the attendee mail of a moved event); the simulator never sends it
    model('mail.mail', 'Outgoing Mails', 'id desc', {
      subject: { type: 'char', string: 'Subject' },
      body_html: { type: 'html', string: 'Rich-text Contents' },
      email_to: { type: 'char', string: 'To' },
      recipient_ids: { type: 'many2many', string: 'To (Partners)', relation: 'res.partner' },
      model: { type: 'char', string: 'Related Document Model' },
      res_id: { type: 'integer', string: 'Related Document ID' },
      state: {
        type: 'selection', string: 'Status', default: 'outgoing',
        selection: [['outgoing', 'Outgoing'], ['sent', 'Sent'], ['received', 'Received'], ['exception', 'Delivery Failed'], ['cancel', 'Cancelled']],
      },
    }, { recName: 'subject' }),
    model('ir.model', 'Models', 'model', {
      name: { type: 'char', string: 'Model Description', required: true },
      model: { type: 'char', string: 'Model', required: true },
    }),
    model('ir.model.data', 'Model Data', 'module, model, name', {
      name: { type: 'char', string: 'External Identifier', required: true },
      module: { type: 'char', string: 'Module', required: true },
      model: { type: 'char', string: 'Model Name', required: true },
      res_id: { type: 'integer', string: 'Record ID' },
    }),
    model('ir.config_parameter', 'System Parameter', 'key', {
      key: { type: 'char', string: 'Key', required: true },
      value: { type: 'text', string: 'Value', required: true },
    }, { recName: 'key' }),
    // scheduled actions; seeded with crm_iap_enrich's lead enrichment, which calls Odoo's outside IAP service
    model('ir.cron', 'Scheduled Actions', 'priority, name, id', {
      name: { type: 'char', string: 'Name', required: true },
      active: { type: 'boolean', string: 'Active', default: true },
      priority: { type: 'integer', string: 'Priority', default: 5 },
    }),
    // `cron._trigger()`: a request to run a cron soon
    model('ir.cron.trigger', 'Triggered actions', 'id', {
      cron_id: { type: 'many2one', string: 'Cron', relation: 'ir.cron', required: true },
      call_at: { type: 'datetime', string: 'Call At', required: true },
    }),
    model('ir.model.fields', 'Fields', 'name', {
      name: { type: 'char', string: 'Field Name', required: true },
      field_description: { type: 'char', string: 'Field Label', required: true },
      model_id: { type: 'many2one', string: 'Model', relation: 'ir.model', required: true },
      model: { type: 'char', string: 'Model Name', readonly: true },
      ttype: {
        type: 'selection', string: 'Field Type', required: true,
        selection: (['char', 'text', 'html', 'integer', 'float', 'boolean', 'date', 'datetime', 'selection', 'many2one', 'one2many', 'many2many'] as const).map((t) => [t, t]),
      },
      relation: { type: 'char', string: 'Related Model' },
      required: { type: 'boolean', string: 'Required', default: false },
      readonly: { type: 'boolean', string: 'Readonly', default: false },
      state: { type: 'selection', string: 'Type', required: true, default: 'manual', selection: [['manual', 'Custom Field'], ['base', 'Base Field']] },
    }, { recName: 'field_description' }),
  ];
  return Object.fromEntries(defs.map((d) => [d.name, d]));
}

/** The fields of a model as this server version has them. */
export function fieldsFor(def: ModelDef, version: OdooVersion): Record<string, FieldDef> {
  const out: Record<string, FieldDef> = {};
  for (const [name, f] of Object.entries(def.fields)) if (!f.versions || f.versions.includes(version)) out[name] = f;
  return out;
}
