import { Inject, Injectable } from '@nestjs/common';
import { createHash, createPrivateKey, createPublicKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { unauthenticated } from '@hearth/errors';
import { LoginStep } from './identity.enums.js';

const ALGORITHM = 'EdDSA';

export interface AccessClaims {
  readonly userId: string;
  readonly sessionId: string;
}

/** A sign-in half done: whose, what it still needs, and what it already proved. */
export interface ChallengeClaims {
  readonly userId: string;
  readonly step: LoginStep;
  /** The second factor was checked. */
  readonly mfa: boolean;
  /** The credential's version at issue: a password changed since voids the challenge. */
  readonly credentialVersion: string;
  /** How the first step was proven: a Hearth password, or the agency's identity provider. */
  readonly method: SignInMethod;
}

export type SignInMethod = 'password' | 'oidc';

/** Long enough to open an authenticator app; short enough to be useless when stolen later. */
export const CHALLENGE_TTL_SECONDS = 300;

/**
 * Access tokens are short-lived EdDSA JWTs with issuer and audience; the algorithm is pinned, so
 * `alg: none` and algorithm confusion are refused. Refresh tokens are random and only their hash
 * is stored.
 */
@Injectable()
export class TokenService {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(@Inject(HEARTH_CONFIG) private readonly config: HearthConfig) {
    this.privateKey = createPrivateKey(config.auth.keys.privateKeyPem);
    this.publicKey = createPublicKey(config.auth.keys.publicKeyPem);
  }

  get accessTokenTtlSeconds(): number {
    return this.config.auth.accessTokenTtlSeconds;
  }

  get refreshTokenTtlSeconds(): number {
    return this.config.auth.refreshTokenTtlSeconds;
  }

  signAccessToken(claims: AccessClaims): Promise<string> {
    return new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(this.config.auth.issuer)
      .setAudience(this.config.auth.audience)
      .setIssuedAt()
      .setExpirationTime(`${this.config.auth.accessTokenTtlSeconds}s`)
      .setJti(randomUUID())
      .sign(this.privateKey);
  }

  async verifyAccessToken(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        algorithms: [ALGORITHM],
        issuer: this.config.auth.issuer,
        audience: this.config.auth.audience,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      if (typeof payload.sub !== 'string' || typeof payload['sid'] !== 'string') throw new Error('claims');
      return { userId: payload.sub, sessionId: payload['sid'] };
    } catch {
      throw unauthenticated();
    }
  }

  /** A challenge token has an audience of its own: it is never accepted as an access token. */
  private get challengeAudience(): string {
    return `${this.config.auth.audience}#login-challenge`;
  }

  signChallenge(claims: ChallengeClaims): Promise<string> {
    return new SignJWT({ step: claims.step, mfa: claims.mfa, cv: claims.credentialVersion, amr: claims.method })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'login-challenge+jwt' })
      .setSubject(claims.userId)
      .setIssuer(this.config.auth.issuer)
      .setAudience(this.challengeAudience)
      .setIssuedAt()
      .setExpirationTime(`${CHALLENGE_TTL_SECONDS}s`)
      .setJti(randomUUID())
      .sign(this.privateKey);
  }

  async verifyChallenge(token: string): Promise<ChallengeClaims> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        algorithms: [ALGORITHM],
        issuer: this.config.auth.issuer,
        audience: this.challengeAudience,
        typ: 'login-challenge+jwt',
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      const { sub, step, mfa, cv, amr } = payload;
      if (typeof sub !== 'string' || typeof mfa !== 'boolean' || typeof cv !== 'string') throw new Error('claims');
      if (step !== LoginStep.MFA_CODE && step !== LoginStep.PASSWORD_CHANGE) throw new Error('step');
      const method: SignInMethod = amr === 'oidc' ? 'oidc' : 'password';
      return { userId: sub, step, mfa, credentialVersion: cv, method };
    } catch {
      throw unauthenticated('Sign-in expired; start again');
    }
  }

  newRefreshToken(): { token: string; hash: Buffer } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: TokenService.hashRefreshToken(token) };
  }

  static hashRefreshToken(token: string): Buffer {
    return createHash('sha256').update(token).digest();
  }
}
