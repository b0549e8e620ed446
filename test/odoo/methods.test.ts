import { pyError } from './py-error';
import { callJson2, callKw } from '../../sim/odoo/methods';
import { OdooDatabase } from '../../sim/odoo/orm';

const kw = (db: OdooDatabase, model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) => callKw(db, model, method, args, kwargs, 2);


describe('model methods through call_kw', () => {
  const db = new OdooDatabase({ version: 19, phonenumbers: true });
  const lina = kw(db, 'res.partner', 'create', [{ name: 'Lina Andrianina', phone: '+261321234567' }]) as number;

  test('a callback activity: type found by xmlid, model by ir.model, deadline and user defaulted', () => {
    const [xmlid] = kw(db, 'ir.model.data', 'search_read', [[['module', '=', 'mail'], ['name', '=', 'mail_activity_data_call']], ['res_id']]) as Array<{ res_id: number }>;
    const [modelId] = kw(db, 'ir.model', 'search', [[['model', '=', 'res.partner']]]) as number[];
    const id = kw(db, 'mail.activity', 'create', [{ res_model_id: modelId, res_id: lina, activity_type_id: xmlid!.res_id, date_deadline: '2030-03-05', summary: 'Rappeler' }]) as number;
    const [act] = kw(db, 'mail.activity', 'read', [[id], ['res_model', 'res_id', 'activity_type_id', 'user_id', 'date_deadline']]) as Array<Record<string, unknown>>;
    expect(act).toEqual({ id, res_model: 'res.partner', res_id: lina, activity_type_id: [2, 'Call'], user_id: [2, 'Administrator'], date_deadline: '2030-03-05' });
    const noModel = pyError(() => kw(db, 'mail.activity', 'create', [{ res_model: 'res.partner', res_id: lina, summary: 'x' }]));
    expect(noModel.message).toContain('Field: Document Model (res_model_id)');
  });

  test('message_post on a partner and an event creates a mail.message; not on attendees', () => {
    const msgId = kw(db, 'res.partner', 'message_post', [[lina]], { body: 'Appel reçu', message_type: 'comment' }) as number;
    expect(kw(db, 'mail.message', 'read', [[msgId], ['model', 'res_id', 'body', 'message_type']])).toEqual([{ id: msgId, model: 'res.partner', res_id: lina, body: '<p>Appel reçu</p>', message_type: 'comment' }]);
    expect(pyError(() => kw(db, 'calendar.attendee', 'message_post', [[1]], { body: 'x' })).pyName).toBe('builtins.AttributeError');
    // a str body is text since 17: HTML sent over RPC is escaped; 16 kept it as HTML
    const html = kw(db, 'res.partner', 'message_post', [[lina]], { body: "<b>Motif</b> : l'appel" }) as number;
    expect((kw(db, 'mail.message', 'read', [[html], ['body']]) as Array<{ body: string }>)[0]!.body).toBe('<p>&lt;b&gt;Motif&lt;/b&gt; : l&#39;appel</p>');
    const db16 = new OdooDatabase({ version: 16, phonenumbers: true });
    const p16 = kw(db16, 'res.partner', 'create', [{ name: 'P' }]) as number;
    const m16 = kw(db16, 'res.partner', 'message_post', [[p16]], { body: '<b>Motif</b>' }) as number;
    expect((kw(db16, 'mail.message', 'read', [[m16], ['body']]) as Array<{ body: string }>)[0]!.body).toBe('<b>Motif</b>');
    expect(pyError(() => kw(db, 'res.partner', 'message_post', [[lina, 3]], { body: 'x' })).message).toBe(`Expected singleton: res.partner(${lina}, 3)`);
  });

  test('name_search, fields_get attributes, search_count with limit', () => {
    expect(kw(db, 'res.partner', 'name_search', ['andria'])).toEqual([[lina, 'Lina Andrianina']]);
    expect(kw(db, 'res.partner', 'fields_get', [['company_id']], { attributes: ['type', 'relation'] })).toEqual({ company_id: { type: 'many2one', relation: 'res.company' } });
    expect(kw(db, 'res.partner', 'search_count', [[]], { limit: 1 })).toBe(1);
  });

  test('kwargs.context is not an argument; active_test: false shows archived records', () => {
    const gone = kw(db, 'res.partner', 'create', [{ name: 'Archivé', active: false }]) as number;
    expect(kw(db, 'res.partner', 'search', [[['id', '=', gone]]], { context: { lang: 'fr_FR' } })).toEqual([]);
    expect(kw(db, 'res.partner', 'search', [[['id', '=', gone]]], { context: { active_test: false } })).toEqual([gone]);
    expect(callJson2(db, 'res.partner', 'search_count', [], { domain: [['id', '=', gone]] }, 2, { active_test: false })).toBe(1);
  });

  test('Python binding errors for call_kw', () => {
    expect(pyError(() => kw(db, 'res.partner', 'search', [])).message).toBe("ResPartner.search() missing 1 required positional argument: 'domain'");
    expect(pyError(() => kw(db, 'res.partner', 'search', [[]], { nope: 1 })).message).toBe("ResPartner.search() got an unexpected keyword argument 'nope'");
    expect(pyError(() => kw(db, 'res.partner', 'read', [])).pyName).toBe('builtins.IndexError');
    expect(pyError(() => kw(db, 'res.partner', 'write', [[lina], { name: 'x' }, 'extra'])).pyName).toBe('builtins.TypeError');
  });

  test('older servers word unknown and private methods the Python way', () => {
    const db16 = new OdooDatabase({ version: 16, phonenumbers: true });
    expect(pyError(() => kw(db16, 'res.partner', 'nope', [[]])).message).toBe("type object 'res.partner' has no attribute 'nope'");
    expect(pyError(() => kw(db16, 'res.partner', '_nope', [[]])).message).toBe('Private methods (such as _nope) cannot be called remotely.');
    expect(pyError(() => kw(db, 'res.partner', '_nope', [[]])).message).toBe("Private methods (such as 'res.partner._nope') cannot be called remotely.");
  });
});

describe('model methods through JSON-2 binding', () => {
  const db = new OdooDatabase({ version: 19, phonenumbers: true });
  const j2 = (model: string, method: string, ids: number[], body: Record<string, unknown>) => callJson2(db, model, method, ids, body, 2);

  test('create always answers ids, message_post a list, unknown method a 404', () => {
    expect(j2('res.partner', 'create', [], { vals_list: { name: 'Seul' } })).toEqual([expect.any(Number)]);
    const [pid] = j2('res.partner', 'create', [], { vals_list: [{ name: 'Un' }] }) as number[];
    expect(j2('res.partner', 'message_post', [pid!], { body: 'Note' })).toEqual([expect.any(Number)]);
    const e = pyError(() => j2('res.partner', 'nope', [], {}));
    expect([e.pyName, e.httpStatus, e.message]).toEqual(['werkzeug.exceptions.NotFound', 404, "The method 'res.partner.nope' does not exist"]);
    expect(pyError(() => j2('res.partner', 'search', [], {})).message).toBe("missing a required argument: 'domain'");
  });
});
