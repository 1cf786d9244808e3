import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditAction, AuditLog } from '@hearth/audit';
import { CASE_ROLES, type Principal } from '@hearth/authz';
import { hitRateLimit, type RateLimit } from '@hearth/database';
import { badInput, forbidden, rateLimited, validate } from '@hearth/errors';
import { parseLocalDate } from '@hearth/pagination';
import { ContactCardService } from './contact-card.service.js';
import { line } from './network.inputs.js';
import { PersonRepository } from './person.repository.js';
import type { PersonMatchModel } from './network.models.js';

/** Searches per practitioner per window: enough for real work, too few to enumerate children. */
const SEARCH: RateLimit = { limit: 30, windowSeconds: 10 * 60 };

/**
 * "Is there already a network for this child?" answers that one exists and who leads it,
 * nothing more; every search is audited, and searches are rate-limited per user.
 */
@Injectable()
export class DiscoveryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly cards: ContactCardService,
    private readonly audit: AuditLog,
    private readonly persons: PersonRepository,
  ) {}

  async searchPeople(
    principal: Principal,
    nameInput: string,
    dateOfBirthInput?: string | null,
  ): Promise<PersonMatchModel[]> {
    if (!principal.roles.some((role) => CASE_ROLES.includes(role)))
      throw forbidden('Only practitioners and managers search for networks');
    const name = validate(line(200), nameInput).toLowerCase().replace(/\s+/g, ' ');
    if (name.length < 2) throw badInput('name', 'must be at least 2 characters');
    let dateOfBirth: string | null = null;
    if (dateOfBirthInput) {
      try {
        dateOfBirth = parseLocalDate(dateOfBirthInput);
      } catch {
        throw badInput('dateOfBirth', 'must be a real calendar date written YYYY-MM-DD');
      }
    }
    // Counted atomically before searching, outside the search's transaction.
    const hit = await hitRateLimit(this.dataSource, `search:user:${principal.userId}`, SEARCH);
    if (!hit.allowed) throw rateLimited('Too many searches; try again in a few minutes', hit.retryAfterSeconds);
    const matches = await this.dataSource.transaction(async (manager) => {
      const found = await this.persons.search(manager, name, dateOfBirth);
      const rows = [...new Map(found.map((r) => [r.family_id, r])).values()].slice(0, 20);
      await this.audit.record(manager, {
        action: AuditAction.READ,
        actor: principal,
        subjectType: 'PersonSearch',
        detail: { matches: rows.map((r) => r.family_id), withDateOfBirth: dateOfBirth !== null },
      });
      // Each child found is a read of that child's record: "who looked this child up" finds it.
      for (const match of found.filter((r) => rows.some((row) => row.family_id === r.family_id))) {
        await this.audit.record(manager, {
          action: AuditAction.READ,
          actor: principal,
          subjectType: 'PersonSearch',
          subjectId: match.person_id,
          familyId: match.family_id,
          personId: match.person_id,
        });
      }
      return rows;
    });
    return Promise.all(
      matches.map(async (m) => ({
        familyId: m.family_id,
        lead: await this.cards.card(principal, m.family_id, m.lead_user_id),
      })),
    );
  }
}
