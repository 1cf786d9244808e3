export const label = (value: string): string => {
  const words = value.toLowerCase().replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const dateTime = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'Europe/London',
});
const dateOnly = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });

export const when = (iso: string): string => dateTime.format(new Date(iso));
export const day = (iso: string): string => dateOnly.format(new Date(iso));

/** "in 3 h 20 min", or "overdue by 40 min". */
export function countdown(dueBy: string, now: number): string {
  const minutes = Math.round((Date.parse(dueBy) - now) / 60_000);
  const span = Math.abs(minutes);
  const text =
    span >= 48 * 60
      ? `${Math.round(span / 1440)} days`
      : span >= 60
        ? `${Math.floor(span / 60)} h ${span % 60} min`
        : `${span} min`;
  return minutes >= 0 ? `due in ${text}` : `overdue by ${text}`;
}

export const AGENCY_WITHHELD = 'Agency withheld';

/** A text field of a submitted form ('' when absent). */
export function field(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}
