/**
 * The one strict RFC 3339 date-time parser for dates a user gives (clock control, fault windows, journal
 * queries, seed reference dates). `Date.parse` is not used on user input: it accepts "May 5", "1" and
 * "01/02/2030" (the last in the machine's time zone) and rolls "2030-02-30" over to March 2.
 *
 * Accepted: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`; `t`/`z` in lower case and a space instead of
 * `T` (RFC 3339 section 5.6, note) are allowed. Pure: no clock reads.
 */

/** The largest magnitude of a JavaScript Date's time value, in ms from the epoch (ECMA-262 21.4.1.1). */
export const MAX_DATE_MS = 8.64e15;

/**
 * The span a controllable clock may show: the years an RFC 3339 date-time can name (0000 to 9999). Everything the
 * server writes from the clock (meta timestamps, journal times, fault windows) stays valid RFC 3339 there, and a
 * fault window up to 366 days later still lies well inside a Date's range.
 */
export const CLOCK_MIN_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
export const CLOCK_MAX_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
export const CLOCK_RANGE_TEXT = '0000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z';

export type DateTimeParse = { ok: true; ms: number } | { ok: false; reason: string };

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Parses an RFC 3339 date-time; on failure `reason` says what was wrong (without naming the field). */
export function parseRfc3339(text: unknown): DateTimeParse {
  if (typeof text !== 'string') return { ok: false, reason: `expected a string, got ${text === null ? 'null' : typeof text}` };
  const m = SHAPE.exec(text);
  if (!m) {
    const shown = text.length > 40 ? `${JSON.stringify(text.slice(0, 40))}...` : JSON.stringify(text);
    return {
      ok: false,
      reason: `${shown} is not in the form YYYY-MM-DDTHH:MM:SS with an optional fraction and a Z or ±HH:MM offset`,
    };
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12) return { ok: false, reason: `month ${m[2]} does not exist (01 to 12)` };
  const days = daysIn(year, month);
  if (day < 1 || day > days) return { ok: false, reason: `day ${m[3]} does not exist: ${MONTHS[month - 1]} ${m[1]} has ${days} days` };
  if (hour > 23) return { ok: false, reason: `hour ${m[4]} does not exist (00 to 23)` };
  if (minute > 59) return { ok: false, reason: `minute ${m[5]} does not exist (00 to 59)` };
  if (second > 59) return { ok: false, reason: `second ${m[6]} is not supported (00 to 59; leap seconds are not)` };
  let offsetMinutes = 0;
  if (!m[8]) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return { ok: false, reason: `offset ${m[9]}${m[10]}:${m[11]} does not exist (-23:59 to +23:59)` };
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  // Date.UTC maps years 0..99 to 1900..1999; setUTCFullYear does not.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  const ms = date.getTime() - offsetMinutes * 60_000;
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) return { ok: false, reason: 'lies outside the range of dates this server can represent' };
  return { ok: true, ms };
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_ABBR = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/**
 * Parses an HTTP date in its preferred form, IMF-fixdate (RFC 9110 5.6.7: "Wed, 21 Oct 2015 07:28:00 GMT"),
 * checking that the date exists and the weekday is the right one.
 */
export function parseHttpDate(text: unknown): DateTimeParse {
  if (typeof text !== 'string') return { ok: false, reason: `expected a string, got ${text === null ? 'null' : typeof text}` };
  const m = IMF_FIXDATE.exec(text);
  if (!m) return { ok: false, reason: `${JSON.stringify(text.slice(0, 40))} is not in the form "Wed, 21 Oct 2015 07:28:00 GMT"` };
  const month = MONTH_ABBR.indexOf(m[3]!) + 1;
  const iso = `${m[4]}-${String(month).padStart(2, '0')}-${m[2]}T${m[5]}:${m[6]}:${m[7]}Z`;
  const parsed = parseRfc3339(iso);
  if (!parsed.ok) return parsed;
  const weekday = WEEKDAYS[new Date(parsed.ms).getUTCDay()]!;
  if (weekday !== m[1]) return { ok: false, reason: `${m[2]} ${m[3]} ${m[4]} is a ${weekday}, not a ${m[1]}` };
  return parsed;
}
