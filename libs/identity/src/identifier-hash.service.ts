import { Inject, Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';

/**
 * What someone typed as their identifier, made safe to keep: HMAC-SHA256 with a server-side
 * secret over the normalised text. Equal inputs give equal hashes (attempts can be correlated);
 * the text cannot be read back, and without the secret a guess cannot be checked.
 */
@Injectable()
export class IdentifierHash {
  constructor(@Inject(HEARTH_CONFIG) private readonly config: HearthConfig) {}

  of(identifier: string): string {
    const normalised = identifier.normalize('NFKC').trim().toLowerCase();
    return createHmac('sha256', this.config.auth.identifierHashKey).update(normalised).digest('hex');
  }
}
