import { describe, expect, it } from '@jest/globals';
import { HearthError } from '@hearth/errors';
import { PasswordService } from './password.service.js';

const refusal = (fn: () => unknown): HearthError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HearthError);
    return error as HearthError;
  }
  throw new Error('expected a refusal');
};

describe('PasswordService.checkPolicy', () => {
  const passwords = new PasswordService();

  it('accepts a long phrase of one’s own', () => {
    expect(passwords.checkPolicy('newPassword', 'Heron lantern quietly 41')).toBe('Heron lantern quietly 41');
  });

  it('refuses short, common (whatever the case) and email-based passwords, naming the field', () => {
    for (const [candidate, email] of [
      ['short-one', undefined],
      ['password1234', undefined],
      ['QWERTY123456', undefined],
      ['1qaz2wsx3edc', undefined],
      ['jo.bloggs@police.test!!', 'jo.bloggs@police.test'],
    ] as const) {
      const error = refusal(() => passwords.checkPolicy('newPassword', candidate, email));
      expect(error.code).toBe('BAD_USER_INPUT');
      expect(error.field).toBe('newPassword');
    }
  });

  it('hashes with argon2id and verifies only the right password', async () => {
    const hash = await passwords.hash('Heron lantern quietly 41');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await passwords.verify(hash, 'Heron lantern quietly 41')).toBe(true);
    expect(await passwords.verify(hash, 'Heron lantern quietly 42')).toBe(false);
    expect(await passwords.verify(undefined, 'hearth-decoy-password')).toBe(false);
  });
});
