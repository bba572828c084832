import { FhirError } from './errors.ts';

export type DatePrefix = 'gt' | 'ge' | 'eq';

/** A FHIR date or dateTime as the half-open interval [from, to) its precision covers. */
export interface DateRange {
  from: Date;
  to: Date;
}

const pattern =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

const parisParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** Minutes Paris is ahead of UTC at an instant. */
function parisOffset(instant: number): number {
  const p: Record<string, number> = {};
  for (const part of parisParts.formatToParts(instant)) p[part.type] = Number(part.value);
  const asUtc = Date.UTC(
    p.year ?? 0,
    (p.month ?? 1) - 1,
    p.day ?? 1,
    p.hour ?? 0,
    p.minute ?? 0,
    p.second ?? 0,
  );
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60000);
}

/** A wall-clock time in Paris as an instant (the server's time zone for dates written without one). */
function fromParis(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const guess = Date.UTC(y, mo, d, h, mi, s, ms);
  const first = guess - parisOffset(guess) * 60000;
  return guess - parisOffset(first) * 60000;
}

/**
 * Parses `yyyy`, `yyyy-MM`, `yyyy-MM-dd` or a dateTime to the minute, second or millisecond, with `Z` or an
 * offset; without one, the time is read in Europe/Paris as FHIR lets a server do.
 */
export function parseDateRange(text: string, parameter: string): DateRange {
  const m = pattern.exec(text);
  const invalid = () =>
    new FhirError(
      400,
      'invalid',
      `Date invalide « ${text} » : formats acceptés AAAA, AAAA-MM, AAAA-MM-JJ ou AAAA-MM-JJThh:mm[:ss[.sss]][Z|±hh:mm].`,
      parameter,
    );
  if (!m) throw invalid();
  const [, ys, mos, ds, hs, mis, ss, mss, zone] = m;
  const y = Number(ys);
  const mo = mos ? Number(mos) - 1 : 0;
  const d = ds ? Number(ds) : 1;
  const h = hs ? Number(hs) : 0;
  const mi = mis ? Number(mis) : 0;
  const s = ss ? Number(ss) : 0;
  const ms = mss ? Number(mss.padEnd(3, '0')) : 0;
  const check = new Date(Date.UTC(y, mo, d, h, mi, s, ms));
  if (
    y < 1900 ||
    check.getUTCFullYear() !== y ||
    check.getUTCMonth() !== mo ||
    check.getUTCDate() !== d ||
    check.getUTCHours() !== h ||
    check.getUTCMinutes() !== mi ||
    check.getUTCSeconds() !== s
  )
    throw invalid();
  const precision = mss ? 'ms' : ss ? 's' : mis ? 'min' : ds ? 'day' : mos ? 'month' : 'year';
  const at = (yy: number, mm: number, dd: number, hh: number, mn: number, sc: number, mls: number) => {
    if (zone === undefined) return fromParis(yy, mm, dd, hh, mn, sc, mls);
    const offset =
      zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)));
    return Date.UTC(yy, mm, dd, hh, mn, sc, mls) - offset * 60000;
  };
  const from = at(y, mo, d, h, mi, s, ms);
  const to =
    precision === 'year'
      ? at(y + 1, 0, 1, 0, 0, 0, 0)
      : precision === 'month'
        ? at(y, mo + 1, 1, 0, 0, 0, 0)
        : precision === 'day'
          ? at(y, mo, d + 1, 0, 0, 0, 0)
          : from + (precision === 'min' ? 60000 : precision === 's' ? 1000 : 1);
  return { from: new Date(from), to: new Date(to) };
}

/** FHIR's instant form, in UTC with milliseconds. */
export const instant = (date: Date) => date.toISOString();
