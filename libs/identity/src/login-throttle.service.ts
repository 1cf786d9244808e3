import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { hitRateLimit, refundRateLimit, type Queryable, type RateDecision, type RateLimit } from '@hearth/database';

/** Attempts per window, per account (the email tried, whether or not it exists) and per client address. */
const ACCOUNT: RateLimit = { limit: 5, windowSeconds: 15 * 60 };
const ADDRESS: RateLimit = { limit: 20, windowSeconds: 15 * 60 };
/**
 * Sign-ins started through an identity provider, per client address: each one stores an attempt
 * and may make Hearth fetch the provider's metadata. Generous for an office behind one NAT.
 */
export const EXTERNAL_START: RateLimit = { limit: 60, windowSeconds: 60 };

/** The attempts a login counted, so that a success can give its own back. */
export interface LoginAttempt {
  readonly allowed: boolean;
  readonly retryAfterSeconds: number;
  readonly hits: ReadonlyArray<{ key: string; decision: RateDecision }>;
}

/**
 * Back-off on logins, on the atomic counter every node shares. An attempt is counted before the
 * password is checked, so concurrent guesses cannot all slip under the limit; a success gives
 * back only its own attempt, so it never wipes the failures of others.
 */
@Injectable()
export class LoginThrottle {
  async attempt(db: Queryable, email: string, clientAddress: string | undefined): Promise<LoginAttempt> {
    // The typed identifier is kept only as a hash: it may be anything, a password included.
    const account = `login:account:${createHash('sha256').update(email).digest('hex')}`;
    const hits = [{ key: account, decision: await hitRateLimit(db, account, ACCOUNT) }];
    if (clientAddress) {
      const address = `login:address:${clientAddress}`;
      hits.push({ key: address, decision: await hitRateLimit(db, address, ADDRESS) });
    }
    const refused = hits.filter((h) => !h.decision.allowed);
    return {
      allowed: refused.length === 0,
      retryAfterSeconds: Math.max(0, ...refused.map((h) => h.decision.retryAfterSeconds)),
      hits,
    };
  }

  /** Counts a sign-in started at an identity provider from this address (counted before any work). */
  async externalStart(db: Queryable, clientAddress: string | undefined): Promise<RateDecision | undefined> {
    if (!clientAddress) return undefined;
    return hitRateLimit(db, `oidc-start:address:${clientAddress}`, EXTERNAL_START);
  }

  /** A successful login is not a failure: it gives back its own attempt. */
  async succeeded(db: Queryable, attempt: LoginAttempt): Promise<void> {
    for (const { key, decision } of attempt.hits) await refundRateLimit(db, key, decision);
  }
}
