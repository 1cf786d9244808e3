import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Role } from '@hearth/authz';
import type { AgencyKind } from './identity.enums.js';

/** A directory entry as read: an active member with their agency. */
export interface DirectoryEntryRow {
  id: string;
  display_name: string;
  job_title: string | null;
  phone: string | null;
  email: string;
  contact_route: string | null;
  roles: Role[];
  agency_id: string;
  agency_name: string;
  agency_kind: AgencyKind;
}

/** What a directory search looks for. */
export interface DirectorySearchQuery {
  /** Roles of which a member must hold at least one to be listed. */
  listedRoles: readonly Role[];
  /** The searcher, never listed to themself. */
  exceptUserId: string;
  agencyId: string | null;
  role: Role | null;
  /** An ILIKE pattern, already escaped, matched against the name and the agency's name. */
  pattern: string;
  limit: number;
}

@Injectable()
export class DirectoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Active members matching a search, by name. */
  search(q: DirectorySearchQuery): Promise<DirectoryEntryRow[]> {
    return this.dataSource.query(
      `SELECT u.id, u.display_name, u.job_title, u.phone, u.email, u.contact_route, u.roles,
              a.id AS agency_id, a.name AS agency_name, a.kind AS agency_kind
       FROM users u JOIN agencies a ON a.id = u.agency_id
       WHERE u.status = 'ACTIVE' AND u.roles && $1::text[] AND u.id <> $2
         AND ($3::uuid IS NULL OR u.agency_id = $3)
         AND ($4::text IS NULL OR u.roles @> ARRAY[$4]::text[])
         AND (u.display_name ILIKE $5 OR a.name ILIKE $5)
       ORDER BY u.display_name, u.id LIMIT $6`,
      [q.listedRoles, q.exceptUserId, q.agencyId, q.role, q.pattern, q.limit],
    );
  }

  /**
   * Counts a search of the user in the current window (starting a new window once this one is
   * older than the given minutes), in one statement; returns the searches of the window so far.
   */
  async countSearch(userId: string, windowMinutes: number): Promise<number> {
    const rows: { searches: number }[] = await this.dataSource.query(
      `INSERT INTO directory_search_counts AS c (user_id, searches, window_started_at) VALUES ($1, 1, now())
       ON CONFLICT (user_id) DO UPDATE SET
         searches = CASE WHEN c.window_started_at < now() - make_interval(mins => $2) THEN 1 ELSE c.searches + 1 END,
         window_started_at = CASE WHEN c.window_started_at < now() - make_interval(mins => $2) THEN now() ELSE c.window_started_at END
       RETURNING searches`,
      [userId, windowMinutes],
    );
    return rows[0]?.searches ?? 0;
  }
}
