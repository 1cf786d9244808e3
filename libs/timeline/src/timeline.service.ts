import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainEvents } from '@hearth/database';
import { AuditAction, AuditLog } from '@hearth/audit';
import { allows, perRequest, Role, type Principal } from '@hearth/authz';
import { badInput, forbidden, notFound, validate } from '@hearth/errors';
import {
  AccessService,
  FamilyService,
  PERSON_COLUMNS,
  toPersonModel,
  uuid,
  type PersonModel,
  type PersonRow,
} from '@hearth/network';
import { decodeCursor, pageSize, toConnection, type Connection } from '@hearth/relay';
import { Visibility } from './timeline.enums.js';
import {
  amendEventSchema,
  postEventSchema,
  replySchema,
  sharingPolicySchema,
  type AmendEventInput,
  type PostEventInput,
  type SharingPolicyInput,
} from './timeline.inputs.js';
import type { ReplyModel, SharingPolicyEntryModel, TimelineEventModel } from './timeline.models.js';
import './timeline.events.js';
import { eventQuery, toEventModel, type EventRow } from './timeline.repository.js';

const LOADERS = Symbol('timeline-loaders');

interface TimelineLoaders {
  events: DataLoader<string, TimelineEventModel | null>;
  subjects: DataLoader<string, PersonModel[]>;
  replies: DataLoader<string, ReplyModel[]>;
  acknowledgers: DataLoader<string, string[]>;
}

interface ReplyRow {
  id: string;
  family_id: string;
  event_id: string;
  author_id: string;
  body: string;
  created_at: Date;
}

const toReply = (r: ReplyRow): ReplyModel => ({
  id: r.id,
  familyId: r.family_id,
  eventId: r.event_id,
  authorId: r.author_id,
  body: r.body,
  createdAt: r.created_at,
});

/**
 * The shared timeline. Events are never edited or deleted: a correction is an amendment event.
 * Lists, nested fields and single events all go through the same SQL filter, content is
 * redacted in SQL, and every read and change is audited in its transaction.
 */
@Injectable()
export class TimelineService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly families: FamilyService,
    private readonly audit: AuditLog,
    private readonly events: DomainEvents,
  ) {}

  /** A family's timeline, newest first. */
  async timeline(
    principal: Principal,
    familyIdInput: string,
    args: { first?: number | null; after?: string | null },
  ): Promise<Connection<TimelineEventModel>> {
    const familyId = validate(uuid, familyIdInput);
    const size = pageSize(args.first);
    const after = decodeCursor(args.after, ['timestamp', 'uuid']);
    return this.dataSource.transaction(async (manager) => {
      await this.families.visible(manager, principal, familyId, 'read');
      const ability = await this.access.abilityFor(principal, manager);
      const query = eventQuery(
        ability,
        `e.family_id = $1 AND ($2::timestamptz IS NULL OR (e.recorded_at, e.id) < ($2::timestamptz, $3::uuid))`,
        [familyId, after?.[0] ?? null, after?.[1] ?? null, size + 1],
        'ORDER BY e.recorded_at DESC, e.id DESC LIMIT $4',
      );
      const rows: EventRow[] = await manager.query(query.sql, query.params);
      await this.audit.recordRead(manager, {
        actor: principal,
        subjectType: 'TimelineEvent',
        subjectId: familyId,
        familyId,
        ids: rows.slice(0, size).map((r) => r.id),
        purpose: await this.access.readPurpose(principal, familyId, manager),
      });
      return toConnection(rows, size, (r) => [r.recorded_at.toISOString(), r.id], toEventModel);
    });
  }

  /** One event by id, or null when it is not visible (for nested fields: amends, matched events). */
  event(principal: Principal, eventId: string): Promise<TimelineEventModel | null> {
    return this.loaders(principal).events.load(eventId);
  }

  subjects(principal: Principal, eventId: string): Promise<PersonModel[]> {
    return this.loaders(principal).subjects.load(eventId);
  }

  /** Replies carry content: only for events whose content the caller may read. */
  async replies(principal: Principal, event: TimelineEventModel): Promise<ReplyModel[]> {
    return event.redacted ? [] : this.loaders(principal).replies.load(event.id);
  }

  acknowledgers(principal: Principal, eventId: string): Promise<string[]> {
    return this.loaders(principal).acknowledgers.load(eventId);
  }

  async post(principal: Principal, input: PostEventInput): Promise<TimelineEventModel> {
    const data = validate(postEventSchema, input);
    const eventId = await this.dataSource.transaction(async (manager) => {
      await this.requireOnFamily(manager, principal, data.familyId, 'post');
      const subjects = [...new Set(data.subjectIds ?? [])];
      await this.checkSubjects(manager, data.familyId, subjects);
      const visibility = data.visibility ?? (await this.defaultVisibility(manager, principal.agencyId, data.kind));
      const audienceUsers = [...new Set(data.audienceUserIds ?? [])];
      const audienceAgencies = [...new Set(data.audienceAgencyIds ?? [])];
      if (visibility === Visibility.RESTRICTED) {
        if (audienceUsers.length + audienceAgencies.length === 0)
          throw badInput('audienceUserIds', 'RESTRICTED needs at least one user or agency');
        await this.checkAudience(manager, audienceUsers, audienceAgencies);
      } else if (audienceUsers.length + audienceAgencies.length > 0) {
        throw badInput('visibility', 'an audience can only be named for RESTRICTED events');
      }
      const rows: { id: string }[] = await manager.query(
        `INSERT INTO timeline_events (family_id, kind, severity, occurred_at, agency_id, author_id, visibility,
                                      audience_user_ids, audience_agency_ids, summary, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
        [
          data.familyId,
          data.kind,
          data.severity,
          data.occurredAt,
          principal.agencyId,
          principal.userId,
          visibility,
          audienceUsers,
          audienceAgencies,
          data.summary,
          data.body ?? null,
        ],
      );
      const id = rows[0]!.id;
      if (subjects.length > 0) {
        await manager.query(
          `INSERT INTO event_subjects (family_id, event_id, person_id) SELECT $1, $2, unnest($3::uuid[])`,
          [data.familyId, id, subjects],
        );
      }
      await this.audit.record(manager, {
        action: AuditAction.CREATE,
        actor: principal,
        subjectType: 'TimelineEvent',
        subjectId: id,
        familyId: data.familyId,
        detail: { kind: data.kind, visibility, subjects },
      });
      await this.events.publish(manager, 'timeline.event-posted', {
        id,
        familyId: data.familyId,
        kind: data.kind,
        severity: data.severity,
        occurredAt: data.occurredAt,
        agencyId: principal.agencyId,
        authorId: principal.userId,
        visibility,
        subjectIds: subjects,
      });
      return id;
    });
    return this.reload(principal, eventId);
  }

  async amend(principal: Principal, eventIdInput: string, input: AmendEventInput): Promise<TimelineEventModel> {
    const originalId = validate(uuid, eventIdInput);
    const data = validate(amendEventSchema, input);
    const amendmentId = await this.dataSource.transaction(async (manager) => {
      const original = await this.readableEvent(manager, principal, originalId);
      if (original.redacted) throw forbidden('You cannot amend an event you cannot read');
      await this.requireOnFamily(manager, principal, original.familyId, 'post');
      if (original.agencyId !== principal.agencyId)
        throw forbidden('Only the agency that recorded an event can amend it');
      const rows: { id: string }[] = await manager.query(
        `INSERT INTO timeline_events (family_id, kind, severity, occurred_at, agency_id, author_id, visibility, audience_user_ids,
                                      audience_agency_ids, summary, body, amends_event_id, amendment_reason)
         SELECT family_id, kind, COALESCE($2, severity), occurred_at, $3, $4, visibility, audience_user_ids, audience_agency_ids,
                COALESCE($5, summary), CASE WHEN $6::boolean THEN $7 ELSE body END, id, $8
         FROM timeline_events WHERE id = $1 RETURNING id`,
        [
          originalId,
          data.severity ?? null,
          principal.agencyId,
          principal.userId,
          data.summary ?? null,
          data.body !== undefined && data.body !== null,
          data.body ?? null,
          data.reason,
        ],
      );
      const id = rows[0]!.id;
      await manager.query(
        `INSERT INTO event_subjects (family_id, event_id, person_id) SELECT family_id, $2, person_id FROM event_subjects WHERE event_id = $1`,
        [originalId, id],
      );
      await this.audit.record(manager, {
        action: AuditAction.CREATE,
        actor: principal,
        subjectType: 'TimelineEvent',
        subjectId: id,
        familyId: original.familyId,
        // The amendment's reason is case content (redacted like the event): never in the trail.
        detail: { amends: originalId },
      });
      return id;
    });
    return this.reload(principal, amendmentId);
  }

  async reply(principal: Principal, eventIdInput: string, bodyInput: string): Promise<ReplyModel> {
    const eventId = validate(uuid, eventIdInput);
    const body = validate(replySchema, bodyInput);
    return this.dataSource.transaction(async (manager) => {
      const event = await this.readableEvent(manager, principal, eventId);
      await this.requireOnFamily(manager, principal, event.familyId, 'reply');
      if (event.redacted) throw forbidden('You cannot reply to an event you cannot read');
      const rows: ReplyRow[] = await manager.query(
        `INSERT INTO event_replies (family_id, event_id, author_id, agency_id, body) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, family_id, event_id, author_id, body, created_at`,
        [event.familyId, eventId, principal.userId, principal.agencyId, body],
      );
      await this.audit.record(manager, {
        action: AuditAction.CREATE,
        actor: principal,
        subjectType: 'Reply',
        subjectId: rows[0]!.id,
        familyId: event.familyId,
        detail: { eventId },
      });
      await this.events.publish(manager, 'timeline.reply-posted', {
        id: rows[0]!.id,
        eventId,
        familyId: event.familyId,
        authorId: principal.userId,
      });
      return toReply(rows[0]!);
    });
  }

  async acknowledge(principal: Principal, eventIdInput: string): Promise<TimelineEventModel> {
    const eventId = validate(uuid, eventIdInput);
    await this.dataSource.transaction(async (manager) => {
      const event = await this.readableEvent(manager, principal, eventId);
      await this.requireOnFamily(manager, principal, event.familyId, 'acknowledge');
      if (event.redacted) throw forbidden('You cannot acknowledge an event you cannot read');
      const inserted: unknown[] = await manager.query(
        `INSERT INTO event_acknowledgements (family_id, event_id, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING event_id`,
        [event.familyId, eventId, principal.userId],
      );
      if (inserted.length > 0) {
        await this.audit.record(manager, {
          action: AuditAction.CREATE,
          actor: principal,
          subjectType: 'Acknowledgement',
          subjectId: eventId,
          familyId: event.familyId,
        });
      }
    });
    return this.reload(principal, eventId);
  }

  async policy(agencyId: string): Promise<SharingPolicyEntryModel[]> {
    return this.dataSource.query(
      `SELECT event_kind AS kind, visibility FROM sharing_policies WHERE agency_id = $1 ORDER BY event_kind`,
      [agencyId],
    );
  }

  async setSharingPolicy(principal: Principal, input: SharingPolicyInput): Promise<void> {
    const data = validate(sharingPolicySchema, input);
    if (!principal.roles.includes(Role.AGENCY_ADMIN)) throw forbidden();
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO sharing_policies (agency_id, event_kind, visibility) VALUES ($1, $2, $3)
         ON CONFLICT (agency_id, event_kind) DO UPDATE SET visibility = EXCLUDED.visibility`,
        [principal.agencyId, data.kind, data.visibility],
      );
      await this.audit.record(manager, {
        action: AuditAction.UPDATE,
        actor: principal,
        subjectType: 'SharingPolicy',
        subjectId: principal.agencyId,
        detail: { kind: data.kind, visibility: data.visibility },
      });
    });
  }

  /** The event as the caller sees it (existence at least), or NOT_FOUND. */
  private async readableEvent(
    manager: EntityManager,
    principal: Principal,
    eventId: string,
  ): Promise<TimelineEventModel> {
    const ability = await this.access.abilityFor(principal, manager);
    const query = eventQuery(ability, 'e.id = $1', [eventId], 'FOR UPDATE OF e');
    const rows: EventRow[] = await manager.query(query.sql, query.params);
    if (!rows[0]) throw notFound();
    return toEventModel(rows[0]);
  }

  private async requireOnFamily(
    manager: EntityManager,
    principal: Principal,
    familyId: string,
    action: 'post' | 'reply' | 'acknowledge',
  ): Promise<void> {
    await this.families.visible(manager, principal, familyId, 'read');
    const ability = await this.access.abilityFor(principal, manager);
    if (!allows(ability, action, 'TimelineEvent', { familyId }))
      throw forbidden('Only members of this network can do that');
  }

  private async reload(principal: Principal, eventId: string): Promise<TimelineEventModel> {
    const event = await this.event(principal, eventId);
    if (!event) throw notFound();
    return event;
  }

  private async defaultVisibility(manager: EntityManager, agencyId: string, kind: string): Promise<Visibility> {
    const rows: { visibility: Visibility }[] = await manager.query(
      `SELECT visibility FROM sharing_policies WHERE agency_id = $1 AND event_kind = $2`,
      [agencyId, kind],
    );
    return rows[0]?.visibility ?? Visibility.NETWORK;
  }

  private async checkSubjects(manager: EntityManager, familyId: string, personIds: string[]): Promise<void> {
    if (personIds.length === 0) return;
    const rows: { n: number }[] = await manager.query(
      `SELECT count(*)::int AS n FROM family_memberships WHERE family_id = $1 AND person_id = ANY($2)`,
      [familyId, personIds],
    );
    if ((rows[0]?.n ?? 0) !== personIds.length) throw badInput('subjectIds', 'must be persons of this family');
  }

  private async checkAudience(manager: EntityManager, userIds: string[], agencyIds: string[]): Promise<void> {
    const users: { n: number }[] = await manager.query(`SELECT count(*)::int AS n FROM users WHERE id = ANY($1)`, [
      userIds,
    ]);
    if ((users[0]?.n ?? 0) !== userIds.length) throw badInput('audienceUserIds', 'must be existing users');
    const agencies: { n: number }[] = await manager.query(
      `SELECT count(*)::int AS n FROM agencies WHERE id = ANY($1)`,
      [agencyIds],
    );
    if ((agencies[0]?.n ?? 0) !== agencyIds.length) throw badInput('audienceAgencyIds', 'must be existing agencies');
  }

  private loaders(principal: Principal): TimelineLoaders {
    return perRequest(principal, LOADERS, () => ({
      events: new DataLoader<string, TimelineEventModel | null>((ids) => this.loadEvents(principal, ids)),
      subjects: new DataLoader<string, PersonModel[]>((ids) => this.loadSubjects(principal, ids)),
      replies: new DataLoader<string, ReplyModel[]>((ids) => this.loadReplies(principal, ids)),
      acknowledgers: new DataLoader<string, string[]>((ids) => this.loadAcknowledgers(ids)),
    }));
  }

  private loadEvents(principal: Principal, ids: readonly string[]): Promise<(TimelineEventModel | null)[]> {
    return this.dataSource.transaction(async (manager) => {
      const ability = await this.access.abilityFor(principal, manager);
      const query = eventQuery(ability, 'e.id = ANY($1)', [ids], '');
      const rows: EventRow[] = await manager.query(query.sql, query.params);
      for (const familyId of new Set(rows.map((r) => r.family_id))) {
        await this.audit.recordRead(manager, {
          actor: principal,
          subjectType: 'TimelineEvent',
          subjectId: familyId,
          familyId,
          ids: rows.filter((r) => r.family_id === familyId).map((r) => r.id),
          purpose: await this.access.readPurpose(principal, familyId, manager),
        });
      }
      const byId = new Map(rows.map((r) => [r.id, toEventModel(r)]));
      return ids.map((id) => byId.get(id) ?? null);
    });
  }

  /** Subjects of events the caller could reach; persons are filtered by the same ability. */
  private loadSubjects(principal: Principal, eventIds: readonly string[]): Promise<PersonModel[][]> {
    return this.dataSource.transaction(async (manager) => {
      const ability = await this.access.abilityFor(principal, manager);
      const query = eventQuery(ability, 'e.id = ANY($1)', [eventIds], '');
      const rows: (PersonRow & { event_id: string })[] = await manager.query(
        `SELECT s.event_id, ${PERSON_COLUMNS}
         FROM (${query.sql}) visible
         JOIN event_subjects s ON s.event_id = visible.id
         JOIN family_memberships fm ON fm.family_id = s.family_id AND fm.person_id = s.person_id
         JOIN persons p ON p.id = s.person_id
         ORDER BY s.event_id, p.family_name, p.given_name`,
        query.params,
      );
      // One entry per person, so "who viewed this child" finds reads through an event's subjects too.
      const seen = new Set<string>();
      for (const row of rows) {
        if (seen.has(`${row.family_id}:${row.id}`)) continue;
        seen.add(`${row.family_id}:${row.id}`);
        await this.audit.recordRead(manager, {
          actor: principal,
          subjectType: 'Person',
          subjectId: row.id,
          familyId: row.family_id,
          personId: row.id,
          ids: [row.id],
          purpose: await this.access.readPurpose(principal, row.family_id, manager),
        });
      }
      return eventIds.map((id) =>
        rows.filter((r) => r.event_id === id).map((r) => toPersonModel(r, principal.agencyId)),
      );
    });
  }

  private loadReplies(principal: Principal, eventIds: readonly string[]): Promise<ReplyModel[][]> {
    return this.dataSource.transaction(async (manager) => {
      const ability = await this.access.abilityFor(principal, manager);
      const query = eventQuery(ability, 'e.id = ANY($1)', [eventIds], '');
      const rows: ReplyRow[] = await manager.query(
        `SELECT r.id, r.family_id, r.event_id, r.author_id, r.body, r.created_at
         FROM (${query.sql}) visible JOIN event_replies r ON r.event_id = visible.id
         WHERE visible.content_visible ORDER BY r.event_id, r.created_at, r.id`,
        query.params,
      );
      for (const familyId of new Set(rows.map((r) => r.family_id))) {
        await this.audit.recordRead(manager, {
          actor: principal,
          subjectType: 'Reply',
          subjectId: familyId,
          familyId,
          ids: rows.filter((r) => r.family_id === familyId).map((r) => r.id),
          purpose: await this.access.readPurpose(principal, familyId, manager),
        });
      }
      return eventIds.map((id) => rows.filter((r) => r.event_id === id).map(toReply));
    });
  }

  private async loadAcknowledgers(eventIds: readonly string[]): Promise<string[][]> {
    const rows: { event_id: string; user_id: string }[] = await this.dataSource.query(
      `SELECT event_id, user_id FROM event_acknowledgements WHERE event_id = ANY($1) ORDER BY acknowledged_at`,
      [eventIds],
    );
    return eventIds.map((id) => rows.filter((r) => r.event_id === id).map((r) => r.user_id));
  }
}
