import { DateTime } from 'luxon';
import { freeSlots, parseSlotId, pickProposals, slotId, type Attendance } from '../../api/scheduling/free-slots';

const PARIS = 'Europe/Paris';
const weekdays = (from: number, to: number): Attendance[] => ['0', '1', '2', '3', '4'].map((d) => ({ dayofweek: d, hour_from: from, hour_to: to }));
const local = (d: Date) => DateTime.fromJSDate(d, { zone: PARIS }).toFormat('ccc yyyy-LL-dd HH:mm', { locale: 'en' });

describe('free slots', () => {
  const base = { now: new Date('2030-01-01T00:00:00Z'), zone: PARIS, busy: [], timeWindow: 'any' as const, mode: 'video' as const };

  test('working hours are local wall-clock times across the March DST change', () => {
    const slots = freeSlots({ ...base, attendances: weekdays(9, 10), dateFrom: '2030-03-29', dateTo: '2030-04-01' });
    // Friday before the change (UTC+1) and Monday after (UTC+2): both 9h local
    expect(slots.map((s) => s.start.toISOString())).toEqual(['2030-03-29T08:00:00.000Z', '2030-03-29T08:30:00.000Z', '2030-04-01T07:00:00.000Z', '2030-04-01T07:30:00.000Z']);
    expect(slots.map((s) => local(s.start))).toEqual(['Fri 2030-03-29 09:00', 'Fri 2030-03-29 09:30', 'Mon 2030-04-01 09:00', 'Mon 2030-04-01 09:30']);
  });

  test('and across the October DST change', () => {
    const slots = freeSlots({ ...base, attendances: weekdays(9, 9.5), dateFrom: '2030-10-25', dateTo: '2030-10-28' });
    expect(slots.map((s) => s.start.toISOString())).toEqual(['2030-10-25T07:00:00.000Z', '2030-10-28T08:00:00.000Z']);
  });

  test('a night shift over the spring-forward hour keeps its real length', () => {
    // Sunday 31 March 2030: 01:00–04:00 local is only two real hours
    const slots = freeSlots({ ...base, attendances: [{ dayofweek: '6', hour_from: 1, hour_to: 4 }], dateFrom: '2030-03-31', dateTo: '2030-03-31', stepMin: 60, profile: { durationMin: 60, bufferMin: 0 } });
    expect(slots.map((s) => local(s.start))).toEqual(['Sun 2030-03-31 01:00', 'Sun 2030-03-31 03:00']);
  });

  test('morning and afternoon split at 12:00 local; lunch rows are not working time', () => {
    const att: Attendance[] = [
      { dayofweek: '0', hour_from: 8, hour_to: 12, day_period: 'morning' },
      { dayofweek: '0', hour_from: 12, hour_to: 13, day_period: 'lunch' },
      { dayofweek: '0', hour_from: 13, hour_to: 15, day_period: 'afternoon' },
    ];
    const q = { ...base, attendances: att, dateFrom: '2030-03-04', dateTo: '2030-03-04', stepMin: 60 };
    expect(freeSlots({ ...q, timeWindow: 'morning' }).map((s) => local(s.start).slice(-5))).toEqual(['08:00', '09:00', '10:00', '11:00']);
    expect(freeSlots({ ...q, timeWindow: 'afternoon' }).map((s) => local(s.start).slice(-5))).toEqual(['13:00', '14:00']);
  });

  test('busy time blocks a slot together with its travel buffer (home visits)', () => {
    const busy = [{ start: new Date('2030-03-04T09:00:00Z'), stop: new Date('2030-03-04T10:00:00Z') }]; // 10h–11h local
    const home = freeSlots({ ...base, mode: 'home', attendances: weekdays(8, 13), busy, dateFrom: '2030-03-04', dateTo: '2030-03-04' });
    // 60 min + 30 min before and after: 8h30 (ends 9h30, buffer to 10h) fits; 9h, 9h30, 10h, 10h30, 11h do not
    expect(home.map((s) => local(s.start).slice(-5))).toEqual(['08:00', '08:30', '11:30', '12:00']);
    const video = freeSlots({ ...base, mode: 'video', attendances: weekdays(8, 13), busy, dateFrom: '2030-03-04', dateTo: '2030-03-04', stepMin: 60 });
    expect(video.map((s) => local(s.start).slice(-5))).toEqual(['08:00', '09:00', '11:00', '12:00']);
  });

  test('leaves, the lead time and excluded ids remove slots', () => {
    const leave = [{ start: new Date('2030-03-04T23:00:00Z'), stop: new Date('2030-03-05T22:59:59Z') }]; // Tuesday 5 March, whole day
    const q = { ...base, attendances: weekdays(9, 10), busy: leave, dateFrom: '2030-03-04', dateTo: '2030-03-06', stepMin: 60 };
    expect(freeSlots(q).map((s) => local(s.start))).toEqual(['Mon 2030-03-04 09:00', 'Wed 2030-03-06 09:00']);
    expect(freeSlots({ ...q, now: new Date('2030-03-04T07:00:00Z'), minLeadMin: 120 }).map((s) => local(s.start))).toEqual(['Wed 2030-03-06 09:00']);
    const first = freeSlots(q)[0]!;
    expect(freeSlots({ ...q, exclude: new Set([first.id]) }).map((s) => s.id)).not.toContain(first.id);
  });

  test('ids are stable and carry the start and the mode', () => {
    const a = freeSlots({ ...base, attendances: weekdays(9, 12), dateFrom: '2030-03-04', dateTo: '2030-03-08' });
    const b = freeSlots({ ...base, attendances: weekdays(9, 12), dateFrom: '2030-03-04', dateTo: '2030-03-08' });
    expect(b).toEqual(a);
    expect(a[0]!.id).toBe(slotId(new Date('2030-03-04T08:00:00Z'), 'video'));
    expect(a[0]!.id).toBe('s_1898841600_video');
    expect(parseSlotId(a[0]!.id)).toEqual({ start: new Date('2030-03-04T08:00:00Z'), mode: 'video' });
    expect(parseSlotId('s_12_x')).toBeNull();
  });

  test('proposals prefer one slot per day, in time order', () => {
    const all = freeSlots({ ...base, attendances: weekdays(9, 12), dateFrom: '2030-03-04', dateTo: '2030-03-08' });
    expect(pickProposals(all, 3, PARIS).map((s) => local(s.start))).toEqual(['Mon 2030-03-04 09:00', 'Tue 2030-03-05 09:00', 'Wed 2030-03-06 09:00']);
    const oneDay = all.filter((s) => local(s.start).startsWith('Mon'));
    expect(pickProposals(oneDay, 3, PARIS).map((s) => local(s.start).slice(-5))).toEqual(['09:00', '09:30', '10:00']);
  });

  test('an invalid day window is an error, not an empty list', () => {
    expect(() => freeSlots({ ...base, attendances: weekdays(9, 12), dateFrom: '2030-02-30', dateTo: '2030-03-01' })).toThrow(/invalid day window/);
  });
});
