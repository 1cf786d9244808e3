import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { HearthError } from './hearth-error.js';
import { validate } from './validate.js';
import { line, text, uuid } from './validators.js';

function problem(schema: z.ZodType, input: unknown): string | undefined {
  try {
    validate(z.strictObject({ field: schema }), { field: input });
    return undefined;
  } catch (error) {
    if (!(error instanceof HearthError)) throw error;
    return error.message;
  }
}

describe('uuid', () => {
  it('accepts a UUID, lower-cased', () => {
    expect(uuid.parse('6F1C0D2E-0001-4C1A-9A51-000000000001')).toBe('6f1c0d2e-0001-4c1a-9a51-000000000001');
  });

  it.each(['', 'not-an-id', '6f1c0d2e-0001-4c1a-9a51-00000000000', "1' OR '1'='1", 42])('refuses %p', (input) => {
    expect(problem(uuid, input)).toMatch(/field.*must be an ID/);
  });
});

describe('line', () => {
  it('trims', () => {
    expect(line(10).parse('  Sam  ')).toBe('Sam');
  });

  it.each([
    ['', /must not be empty/],
    ['   ', /must not be empty/],
    ['x'.repeat(11), /at most 10 characters/],
    ['two\nlines', /control characters/],
    ['tab\there', /control characters/],
    ['bell\u0007', /control characters/],
  ])('refuses %p', (input, message) => {
    expect(problem(line(10), input)).toMatch(message);
  });
});

describe('text', () => {
  it('keeps newlines and tabs inside, trims the ends', () => {
    expect(text(100).parse('\n first\n\tsecond \n')).toBe('first\n\tsecond');
  });

  it.each([
    ['', /must not be empty/],
    ['x'.repeat(101), /at most 100 characters/],
    ['escape\u001b[31m', /control characters other than newlines and tabs/],
    ['nul\u0000', /control characters other than newlines and tabs/],
  ])('refuses %p', (input, message) => {
    expect(problem(text(100), input)).toMatch(message);
  });
});
