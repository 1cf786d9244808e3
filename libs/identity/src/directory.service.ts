import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Role, type Principal } from '@hearth/authz';
import { z } from 'zod';
import { DirectoryRepository } from './directory.repository.js';
import { DIRECTORY_HOOKS, type DirectoryHooks } from './directory-hooks.js';
import { IDENTITY_EVENTS, type IdentityEventRecorder } from './identity-events.js';
import { line, rateLimited, uuid, validate } from '@hearth/errors';
import type { DirectoryEntryModel } from './identity.models.js';

/** Searches per user per window: enough to find colleagues, too few to copy the directory. */
export const DIRECTORY_SEARCH_LIMIT = 30;
const WINDOW_MINUTES = 10;
const RESULTS = 20;
const LISTED_ROLES = [Role.PRACTITIONER, Role.MANAGER] as const;

const searchSchema = z.strictObject({
  search: line(100).refine((v) => v.length >= 2, { error: 'must be at least 2 characters' }),
  agencyId: uuid.nullish(),
  role: z.enum(LISTED_ROLES, { error: 'must be PRACTITIONER or MANAGER' }).nullish(),
});

/**
 * The practitioners' directory: active practitioners and managers of every agency, found by name
 * or agency (and narrowed by agency or role), as contact cards. Every search is audited (with its
 * filters and the ids returned, never the text typed) and limited per user; a member who holds a
 * sensitive role is never listed to another agency.
 */
@Injectable()
export class DirectoryService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly directory: DirectoryRepository,
    @Inject(DIRECTORY_HOOKS) private readonly hooks: DirectoryHooks,
    @Inject(IDENTITY_EVENTS) private readonly events: IdentityEventRecorder,
  ) {}

  async search(
    principal: Principal,
    input: { search: string; agencyId?: string | null; role?: Role | null },
  ): Promise<DirectoryEntryModel[]> {
    const { search, agencyId, role } = validate(searchSchema, input);
    await this.countSearch(principal);
    const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.directory.search({
      listedRoles: LISTED_ROLES,
      exceptUserId: principal.userId,
      agencyId: agencyId ?? null,
      role: role ?? null,
      pattern,
      limit: RESULTS * 2,
    });
    const unlisted = await this.hooks.unlisted(
      principal,
      rows.filter((r) => r.agency_id !== principal.agencyId).map((r) => r.id),
    );
    const listed = rows.filter((r) => !unlisted.has(r.id)).slice(0, RESULTS);
    await this.dataSource.transaction((manager) =>
      this.events.record(manager, {
        kind: 'directory-searched',
        principal,
        agencyId: agencyId ?? null,
        role: role ?? null,
        resultIds: listed.map((r) => r.id),
      }),
    );
    return listed.map((r) => ({
      userId: r.id,
      displayName: r.display_name,
      jobTitle: r.job_title,
      phone: r.phone,
      email: r.email,
      contactRoute: r.contact_route,
      roles: r.roles.filter((x) => (LISTED_ROLES as readonly Role[]).includes(x)),
      agency: { id: r.agency_id, name: r.agency_name, kind: r.agency_kind },
    }));
  }

  /** Counts the search before doing it, in one statement, so concurrent searches cannot overshoot. */
  private async countSearch(principal: Principal): Promise<void> {
    const searches = await this.directory.countSearch(principal.userId, WINDOW_MINUTES);
    if (searches > DIRECTORY_SEARCH_LIMIT) {
      throw rateLimited('Too many directory searches; try again in a few minutes');
    }
  }
}
