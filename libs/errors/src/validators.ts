import { z } from 'zod';

/** The shared input validators: every lib builds its schemas from these, none redefines them. */

/** An id: a UUID as the database makes them, compared lower-case. */
export const uuid = z.uuid({ error: 'must be an ID' }).transform((v) => v.toLowerCase());

/** One line of text: trimmed, not empty, bounded, no control characters. */
export const line = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    .refine((v) => !/\p{Cc}/u.test(v), { error: 'must not contain control characters' });

/** Free text: as a line, but tabs and newlines are allowed. */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    .refine((v) => ![...v].some((c) => /\p{Cc}/u.test(c) && !'\t\n\r'.includes(c)), {
      error: 'must not contain control characters other than newlines and tabs',
    });
