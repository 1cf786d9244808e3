import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, randomInt } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import type { DataSource, EntityManager } from 'typeorm';
import { Role, type Principal } from '@hearth/authz';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { badInput, conflict, rateLimited, unauthenticated, validate } from '@hearth/errors';
import { z } from 'zod';
import { IDENTITY_EVENTS, type IdentityEventRecorder } from './identity-events.js';
import { MfaRepository } from './mfa.repository.js';
import { SessionRepository } from './session.repository.js';
import { UserRepository } from './user.repository.js';

/** Roles that may act as such only in a session opened with a second factor, when required. */
export const OVERSIGHT_ROLES: readonly Role[] = [Role.AGENCY_ADMIN, Role.AUDITOR, Role.PARTNERSHIP_ADMIN];

/** Codes tried per user per window, counted before each check; a success gives its own back. */
const CODE_LIMIT = 5;
const WINDOW_MINUTES = 15;
const RECOVERY_CODES = 10;
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const ISSUER = 'Hearth';

const codeSchema = z.strictObject({
  code: z.string().trim().min(1, { error: 'must not be empty' }).max(64, { error: 'is too long' }),
});

export interface MfaEnrolment {
  /** Base32, for typing into an authenticator app. */
  readonly secret: string;
  /** otpauth:// URI, for a QR code. */
  readonly otpauthUri: string;
}

/**
 * TOTP second factor (RFC 6238, 30-second steps, one step of drift either way) with single-use
 * recovery codes. A code is accepted once: the step it matched is stored, and a code of that step
 * or an earlier one is refused, decided by one UPDATE so two concurrent uses cannot both pass.
 */
@Injectable()
export class SecondFactorService {
  private readonly boxKey: Buffer;
  private readonly codeKey: Buffer;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly mfa: MfaRepository,
    private readonly sessions: SessionRepository,
    private readonly users: UserRepository,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(IDENTITY_EVENTS) private readonly events: IdentityEventRecorder,
  ) {
    const root = config.auth.identifierHashKey;
    this.boxKey = Buffer.from(hkdfSync('sha256', root, 'hearth', 'mfa-secret-box', 32));
    this.codeKey = Buffer.from(hkdfSync('sha256', root, 'hearth', 'mfa-recovery-code', 32));
  }

  get required(): boolean {
    return this.config.auth.mfaRequired;
  }

  /** The roles a session may use: oversight roles need a second factor when it is required. */
  effectiveRoles(roles: readonly Role[], sessionMfaVerified: boolean): Role[] {
    if (!this.required || sessionMfaVerified) return [...roles];
    return roles.filter((role) => !OVERSIGHT_ROLES.includes(role));
  }

  async isEnrolled(userId: string, manager: EntityManager = this.dataSource.manager): Promise<boolean> {
    return this.mfa.isEnrolled(manager, userId);
  }

  /** A new pending authenticator (replacing a pending one); confirmed by its first code. */
  async begin(principal: Principal): Promise<MfaEnrolment> {
    const secret = generateSecret();
    await this.dataSource.transaction(async (manager) => {
      const stored = await this.mfa.upsertPending(manager, principal.userId, this.seal(secret));
      if (!stored) throw conflict('A second factor is already set up for this account');
      await this.events.record(manager, { kind: 'mfa-enrolment-started', principal });
    });
    const label = await this.emailOf(principal.userId);
    return { secret, otpauthUri: generateURI({ issuer: ISSUER, label, secret }) };
  }

  /**
   * Confirms the pending authenticator with a code from it, marks this session as verified, and
   * returns the recovery codes: shown once, stored only as keyed hashes.
   */
  async confirm(principal: Principal, input: { code: string }): Promise<string[]> {
    const { code } = validate(codeSchema, input);
    const factor = await this.factor(principal.userId, false);
    if (!factor) throw conflict('Start setting up a second factor first');
    await this.countAttempt(principal.userId, principal.agencyId);
    const step = await this.matchTotp(factor.secret, code);
    if (step === undefined) {
      await this.recordFailure(principal.userId, principal.agencyId, 'wrong-code');
      throw badInput('code', 'is not the current code of your authenticator');
    }
    const codes = Array.from({ length: RECOVERY_CODES }, () => this.newRecoveryCode());
    await this.dataSource.transaction(async (manager) => {
      const confirmed = await this.mfa.confirm(manager, principal.userId, step);
      if (!confirmed) throw conflict('A second factor is already set up for this account');
      await this.mfa.replaceRecoveryCodes(
        manager,
        principal.userId,
        codes.map((c) => this.hashRecoveryCode(c)),
      );
      await this.sessions.markMfaVerified(manager, principal.sessionId);
      await this.events.record(manager, { kind: 'mfa-enrolled', principal, recoveryCodes: codes.length });
    });
    return codes;
  }

  /**
   * New recovery codes for a set-up second factor, for a current code of the authenticator (not a
   * recovery code: whoever holds only those must not be able to renew them). The old codes stop
   * working in the same transaction; the new ones are shown once.
   */
  async regenerateRecoveryCodes(principal: Principal, input: { code: string }): Promise<string[]> {
    const { code } = validate(codeSchema, input);
    const factor = await this.factor(principal.userId, true);
    if (!factor) throw conflict('No second factor is set up for this account');
    await this.countAttempt(principal.userId, principal.agencyId);
    const step = await this.matchTotp(factor.secret, code);
    const fresh = step !== undefined && (await this.mfa.useStep(principal.userId, step));
    if (!fresh) {
      await this.recordFailure(principal.userId, principal.agencyId, step === undefined ? 'wrong-code' : 'code-reused');
      throw badInput('code', 'is not the current code of your authenticator');
    }
    const codes = Array.from({ length: RECOVERY_CODES }, () => this.newRecoveryCode());
    await this.dataSource.transaction(async (manager) => {
      await this.mfa.replaceRecoveryCodes(
        manager,
        principal.userId,
        codes.map((c) => this.hashRecoveryCode(c)),
      );
      await this.events.record(manager, {
        kind: 'mfa-recovery-codes-regenerated',
        principal,
        recoveryCodes: codes.length,
      });
    });
    return codes;
  }

  /** The second step of a sign-in: a TOTP code, or a recovery code (spent by using it). */
  async verifyAtLogin(user: { id: string; agency_id: string }, code: string): Promise<void> {
    const factor = await this.factor(user.id, true);
    if (!factor) throw unauthenticated('Sign-in expired; start again');
    await this.countAttempt(user.id, user.agency_id);
    if (/^\d{6}$/.test(code)) {
      const step = await this.matchTotp(factor.secret, code);
      const fresh = step !== undefined && (await this.mfa.useStep(user.id, step));
      if (!fresh) {
        await this.recordFailure(user.id, user.agency_id, step === undefined ? 'wrong-code' : 'code-reused');
        throw unauthenticated('Invalid code');
      }
      return;
    }
    const spent = await this.mfa.spendRecoveryCode(user.id, this.hashRecoveryCode(code));
    if (!spent) {
      await this.recordFailure(user.id, user.agency_id, 'wrong-code');
      throw unauthenticated('Invalid code');
    }
    await this.dataSource.transaction((manager) =>
      this.events.record(manager, { kind: 'mfa-recovery-code-used', userId: user.id, agencyId: user.agency_id }),
    );
  }

  /** Counts the attempt first, atomically; over the limit, refuses without checking the code. */
  private async countAttempt(userId: string, agencyId: string): Promise<void> {
    const attempts = await this.mfa.countAttempt(userId, WINDOW_MINUTES);
    if (attempts > CODE_LIMIT) {
      await this.recordFailure(userId, agencyId, 'rate-limited');
      throw rateLimited('Too many codes tried; try again later');
    }
  }

  private async recordFailure(
    userId: string,
    agencyId: string,
    reason: 'wrong-code' | 'code-reused' | 'rate-limited',
  ): Promise<void> {
    await this.dataSource.transaction((manager) =>
      this.events.record(manager, { kind: 'mfa-failed', userId, agencyId, reason }),
    );
  }

  /** The time step a code matches (one step of drift allowed), or undefined. */
  private async matchTotp(secret: string, code: string): Promise<number | undefined> {
    if (!/^\d{6}$/.test(code)) return undefined;
    const result = await verify({ secret, token: code, epochTolerance: 30 });
    return result.valid && 'timeStep' in result ? result.timeStep : undefined;
  }

  private async factor(userId: string, confirmed: boolean): Promise<{ secret: string } | undefined> {
    const box = await this.mfa.findSecretBox(userId, confirmed);
    return box ? { secret: this.open(box) } : undefined;
  }

  private async emailOf(userId: string): Promise<string> {
    return (await this.users.findEmail(userId)) ?? userId;
  }

  private newRecoveryCode(): string {
    const chars = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]!);
    return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
  }

  private hashRecoveryCode(code: string): Buffer {
    const normalised = code.toLowerCase().replace(/[\s-]/g, '');
    return createHmac('sha256', this.codeKey).update(normalised).digest();
  }

  private seal(secret: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.boxKey, iv);
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]);
  }

  private open(box: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', this.boxKey, box.subarray(0, 12));
    decipher.setAuthTag(box.subarray(12, 28));
    return Buffer.concat([decipher.update(box.subarray(28)), decipher.final()]).toString('utf8');
  }
}
