import { Inject, Injectable } from '@nestjs/common';
import { createHash, createPrivateKey, createPublicKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { unauthenticated } from '@hearth/errors';

const ALGORITHM = 'EdDSA';

export interface AccessClaims {
  readonly userId: string;
  readonly sessionId: string;
}

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

  newRefreshToken(): { token: string; hash: Buffer } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: TokenService.hashRefreshToken(token) };
  }

  static hashRefreshToken(token: string): Buffer {
    return createHash('sha256').update(token).digest();
  }
}
