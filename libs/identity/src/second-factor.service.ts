import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, randomInt } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import type { DataSource, EntityManager } from 'typeorm';
import { Role, type Principal } from '@hearth/authz';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { updateReturning } from '@hearth/database';
import { badInput, conflict, rateLimited, unauthenticated, validate } from '@hearth/errors';
import { z } from 'zod';
import { IDENTITY_EVENTS, type IdentityEventRecorder } from './identity-events.js';

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
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM mfa_factors WHERE user_id = $1 AND confirmed_at IS NOT NULL`,
      [userId],
    );
    return rows.length > 0;
  }

  /** A new pending authenticator (replacing a pending one); confirmed by its first code. */
  async begin(principal: Principal): Promise<MfaEnrolment> {
    const secret = generateSecret();
    await this.dataSource.transaction(async (manager) => {
      const rows: unknown[] = await manager.query(
        `INSERT INTO mfa_factors (user_id, secret_box) VALUES ($1, $2)
         ON CONFLICT (user_id) DO UPDATE SET secret_box = EXCLUDED.secret_box, created_at = now(),
           last_used_step = NULL, attempts = 0, window_started_at = now()
         WHERE mfa_factors.confirmed_at IS NULL
         RETURNING 1`,
        [principal.userId, this.seal(secret)],
      );
      if (rows.length === 0) throw conflict('A second factor is already set up for this account');
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
      const confirmed = await updateReturning(
        manager,
        `UPDATE mfa_factors SET confirmed_at = now(), last_used_step = $2, attempts = greatest(attempts - 1, 0)
         WHERE user_id = $1 AND confirmed_at IS NULL RETURNING 1`,
        [principal.userId, step],
      );
      if (confirmed.length === 0) throw conflict('A second factor is already set up for this account');
      await manager.query(`DELETE FROM mfa_recovery_codes WHERE user_id = $1`, [principal.userId]);
      await manager.query(`INSERT INTO mfa_recovery_codes (user_id, code_hash) SELECT $1, unnest($2::bytea[])`, [
        principal.userId,
        codes.map((c) => this.hashRecoveryCode(c)),
      ]);
      await manager.query(`UPDATE sessions SET mfa_verified = true WHERE id = $1`, [principal.sessionId]);
      await this.events.record(manager, { kind: 'mfa-enrolled', principal, recoveryCodes: codes.length });
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
      const fresh =
        step !== undefined &&
        (
          await updateReturning(
            this.dataSource,
            `UPDATE mfa_factors SET last_used_step = $2, attempts = greatest(attempts - 1, 0)
             WHERE user_id = $1 AND (last_used_step IS NULL OR last_used_step < $2) RETURNING 1`,
            [user.id, step],
          )
        ).length > 0;
      if (!fresh) {
        await this.recordFailure(user.id, user.agency_id, step === undefined ? 'wrong-code' : 'code-reused');
        throw unauthenticated('Invalid code');
      }
      return;
    }
    const spent = await updateReturning<{ id: string }>(
      this.dataSource,
      `UPDATE mfa_recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL
       RETURNING id`,
      [user.id, this.hashRecoveryCode(code)],
    );
    if (spent.length === 0) {
      await this.recordFailure(user.id, user.agency_id, 'wrong-code');
      throw unauthenticated('Invalid code');
    }
    await this.dataSource.transaction((manager) =>
      this.events.record(manager, { kind: 'mfa-recovery-code-used', userId: user.id, agencyId: user.agency_id }),
    );
  }

  /** Counts the attempt first, atomically; over the limit, refuses without checking the code. */
  private async countAttempt(userId: string, agencyId: string): Promise<void> {
    const rows = await updateReturning<{ attempts: number }>(
      this.dataSource,
      `UPDATE mfa_factors SET
         attempts = CASE WHEN window_started_at < now() - make_interval(mins => $2) THEN 1 ELSE attempts + 1 END,
         window_started_at = CASE WHEN window_started_at < now() - make_interval(mins => $2) THEN now() ELSE window_started_at END
       WHERE user_id = $1 RETURNING attempts`,
      [userId, WINDOW_MINUTES],
    );
    if ((rows[0]?.attempts ?? 0) > CODE_LIMIT) {
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
    const rows: { secret_box: Buffer }[] = await this.dataSource.query(
      `SELECT secret_box FROM mfa_factors WHERE user_id = $1 AND (confirmed_at IS NOT NULL) = $2`,
      [userId, confirmed],
    );
    const row = rows[0];
    return row ? { secret: this.open(row.secret_box) } : undefined;
  }

  private async emailOf(userId: string): Promise<string> {
    const rows: { email: string }[] = await this.dataSource.query(`SELECT email FROM users WHERE id = $1`, [userId]);
    return rows[0]?.email ?? userId;
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
