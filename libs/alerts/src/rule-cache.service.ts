import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RuleDefinition } from './rule-definition.js';
import { RuleRepository, type ActiveRule } from './rule.repository.js';

/**
 * The enabled rules, parsed once and kept in memory. Each use asks the database, in the caller's
 * transaction, for the enabled rules' fingerprint (one short statement on a small table): a rule
 * enabled, disabled or edited through any process changes it, so the next evaluation anywhere
 * reloads, and no process ever evaluates rules the database no longer holds. No new
 * infrastructure and no window in which a stale copy is trusted.
 */
@Injectable()
export class RuleCache {
  private cached: { fingerprint: string; rules: readonly ActiveRule[] } | undefined;

  constructor(private readonly rules: RuleRepository) {}

  /** The enabled rules of some kinds, as the caller's transaction sees them. */
  async enabled(manager: EntityManager, kinds: readonly RuleDefinition['kind'][]): Promise<ActiveRule[]> {
    const fingerprint = await this.rules.enabledFingerprint(manager);
    let current = this.cached;
    if (current?.fingerprint !== fingerprint) {
      // Read after the fingerprint: at worst these rules are newer than it, and the next use
      // reloads again; never older rules kept under a newer fingerprint.
      current = { fingerprint, rules: await this.rules.enabled(manager) };
      this.cached = current;
    }
    return current.rules.filter((rule) => kinds.includes(rule.definition.kind));
  }
}
