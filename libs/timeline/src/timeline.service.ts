import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainEvents } from '@hearth/database';
import { AuditAction, AuditLog } from '@hearth/audit';
import { allows, perRequest, Role, type Principal } from '@hearth/authz';
import { badInput, forbidden, notFound, uuid, validate } from '@hearth/errors';
import { UserRepository } from '@hearth/identity';
import {
  AccessService,
  ContactCardService,
  FamilyService,
  PersonRepository,
  toPersonModel,
  type PersonModel,
} from '@hearth/network';
import { decodeCursor, pageSize, toConnection, type Connection } from '@hearth/pagination';
import { Visibility } from './timeline.enums.js';
import {
  amendEventSchema,
  postEventSchema,
  replySchema,
  sharingPolicySchema,
  timelineFilterSchema,
  type AmendEventInput,
  type PostEventInput,
  type SharingPolicyInput,
  type TimelineFilter,
} from './timeline.inputs.js';
import type { ReplyModel, SharingPolicyEntryModel, TimelineEventModel } from './timeline.models.js';
import './timeline.events.js';
import { ReplyRepository, toReply } from './reply.repository.js';
import { SharingPolicyRepository } from './sharing-policy.repository.js';
import { TimelineEventRepository } from './timeline-event.repository.js';
import { eventFields, toEventFacts, toEventModel, type EventFacts } from './timeline.repository.js';

const LOADERS = Symbol('timeline-loaders');

interface TimelineLoaders {
  events: DataLoader<string, TimelineEventModel | null>;
  subjects: DataLoader<string, PersonModel[]>;
  replies: DataLoader<string, ReplyModel[]>;
  acknowledgers: DataLoader<string, string[]>;
}

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
    private readonly cards: ContactCardService,
    private readonly eventRows: TimelineEventRepository,
    private readonly replyRows: ReplyRepository,
    private readonly policies: SharingPolicyRepository,
    private readonly persons: PersonRepository,
    private readonly users: UserRepository,
  ) {}

  /** A family's timeline, newest first. */
  async timeline(
    principal: Principal,
    familyIdInput: string,
    args: { first?: number | null; after?: string | null },
    filterInput?: TimelineFilter | null,
  ): Promise<Connection<TimelineEventModel>> {
    const familyId = validate(uuid, familyIdInput);
    const filter = validate(timelineFilterSchema, filterInput) ?? {};
    const size = pageSize(args.first);
    const after = decodeCursor(args.after, ['timestamp', 'uuid']);
    return this.dataSource.transaction(async (manager) => {
      await this.families.visible(manager, principal, familyId, 'read');
      const ability = await this.access.abilityFor(principal, manager);
      // An agency filter never matches an author whose contact card withholds their agency from
      // this viewer, or it would name that agency.
      const masked = filter.agencyId ? await this.maskedAuthors(manager, principal, familyId, filter.agencyId) : [];
      const rows = await this.eventRows.page(manager, ability, familyId, after, size + 1, {
        ...filter,
        excludedAuthorIds: masked,
      });
      await this.audit.recordRead(manager, {
        actor: principal,
        subjectType: 'TimelineEvent',
        subjectId: familyId,
        familyId,
        ids: rows.slice(0, size).map((r) => r.id),
        purpose: await this.access.readPurpose(principal, familyId, manager),
      });
      return toConnection(
        rows,
        size,
        (r) => [r.recorded_at.toISOString(), r.id],
        (r) => toEventModel(r, principal),
      );
    });
  }

  /** Authors of an agency's events in a family whose card hides that agency from the viewer. */
  private async maskedAuthors(
    manager: EntityManager,
    principal: Principal,
    familyId: string,
    agencyId: string,
  ): Promise<string[]> {
    const authors = await this.eventRows.authorsFor(manager, familyId, agencyId);
    const cards = await this.cards.cards(principal, familyId, authors);
    return authors.filter((_, i) => cards[i]?.agency === null);
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
    return this.dataSource.transaction(async (manager) => {
      await this.requireOnFamily(manager, principal, data.familyId, 'post');
      const subjects = [...new Set(data.subjectIds ?? [])];
      await this.checkSubjects(manager, data.familyId, subjects);
      // Unset: the agency's policy, read by the insert itself (never RESTRICTED, so no audience).
      const visibility = data.visibility ?? null;
      const audienceUsers = [...new Set(data.audienceUserIds ?? [])];
      const audienceAgencies = [...new Set(data.audienceAgencyIds ?? [])];
      if (visibility === Visibility.RESTRICTED) {
        if (audienceUsers.length + audienceAgencies.length === 0)
          throw badInput('audienceUserIds', 'RESTRICTED needs at least one user or agency');
        await this.checkAudience(manager, audienceUsers, audienceAgencies);
      } else if (audienceUsers.length + audienceAgencies.length > 0) {
        throw badInput('visibility', 'an audience can only be named for RESTRICTED events');
      }
      const row = await this.eventRows.insert(manager, {
        familyId: data.familyId,
        kind: data.kind,
        severity: data.severity,
        occurredAt: data.occurredAt,
        agencyId: principal.agencyId,
        authorId: principal.userId,
        visibility,
        audienceUserIds: audienceUsers,
        audienceAgencyIds: audienceAgencies,
        summary: data.summary,
        body: data.body ?? null,
        subjectIds: subjects,
      });
      const { id, visibility: stored } = row;
      await this.audit.record(manager, {
        action: AuditAction.CREATE,
        actor: principal,
        subjectType: 'TimelineEvent',
        subjectId: id,
        familyId: data.familyId,
        detail: { kind: data.kind, visibility: stored, subjects },
      });
      await this.events.publish(manager, 'timeline.event-posted', {
        id,
        familyId: data.familyId,
        kind: data.kind,
        severity: data.severity,
        occurredAt: data.occurredAt,
        agencyId: principal.agencyId,
        authorId: principal.userId,
        visibility: stored,
        subjectIds: subjects,
      });
      // The answer is the row as written, redacted by the same ability a read would use: no re-read.
      const ability = await this.access.abilityFor(principal, manager);
      return toEventModel(
        {
          ...row,
          content_visible: allows(ability, 'readContent', 'TimelineEvent', eventFields(row)),
        },
        principal,
      );
    });
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
      const id = await this.eventRows.insertAmendment(manager, {
        originalId,
        severity: data.severity ?? null,
        agencyId: principal.agencyId,
        authorId: principal.userId,
        summary: data.summary ?? null,
        replacesBody: data.body !== undefined && data.body !== null,
        body: data.body ?? null,
        reason: data.reason,
      });
      await this.eventRows.copySubjects(manager, originalId, id);
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
      const reply = await this.replyRows.insert(manager, {
        familyId: event.familyId,
        eventId,
        authorId: principal.userId,
        agencyId: principal.agencyId,
        body,
      });
      await this.audit.record(manager, {
        action: AuditAction.CREATE,
        actor: principal,
        subjectType: 'Reply',
        subjectId: reply.id,
        familyId: event.familyId,
        detail: { eventId },
      });
      await this.events.publish(manager, 'timeline.reply-posted', {
        id: reply.id,
        eventId,
        familyId: event.familyId,
        authorId: principal.userId,
      });
      return toReply(reply);
    });
  }

  async acknowledge(principal: Principal, eventIdInput: string): Promise<TimelineEventModel> {
    const eventId = validate(uuid, eventIdInput);
    await this.dataSource.transaction(async (manager) => {
      const event = await this.readableEvent(manager, principal, eventId);
      await this.requireOnFamily(manager, principal, event.familyId, 'acknowledge');
      if (event.redacted) throw forbidden('You cannot acknowledge an event you cannot read');
      if (await this.eventRows.acknowledge(manager, event.familyId, eventId, principal.userId)) {
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
    return this.policies.ofAgency(agencyId);
  }

  async setSharingPolicy(principal: Principal, input: SharingPolicyInput): Promise<void> {
    const data = validate(sharingPolicySchema, input);
    if (!principal.roles.includes(Role.AGENCY_ADMIN)) throw forbidden();
    await this.dataSource.transaction(async (manager) => {
      await this.policies.set(manager, principal.agencyId, data.kind, data.visibility);
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
  private async readableEvent(manager: EntityManager, principal: Principal, eventId: string): Promise<EventFacts> {
    const ability = await this.access.abilityFor(principal, manager);
    const row = await this.eventRows.lockVisible(manager, ability, eventId);
    if (!row) throw notFound();
    return toEventFacts(row);
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

  private async checkSubjects(manager: EntityManager, familyId: string, personIds: string[]): Promise<void> {
    if (personIds.length === 0) return;
    if ((await this.persons.countInFamily(manager, familyId, personIds)) !== personIds.length)
      throw badInput('subjectIds', 'must be persons of this family');
  }

  private async checkAudience(manager: EntityManager, userIds: string[], agencyIds: string[]): Promise<void> {
    if ((await this.users.countExisting(manager, userIds)) !== userIds.length)
      throw badInput('audienceUserIds', 'must be existing users');
    if ((await this.users.countExistingAgencies(manager, agencyIds)) !== agencyIds.length)
      throw badInput('audienceAgencyIds', 'must be existing agencies');
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
      const rows = await this.eventRows.visible(manager, ability, ids);
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
      const byId = new Map(rows.map((r) => [r.id, toEventModel(r, principal)]));
      return ids.map((id) => byId.get(id) ?? null);
    });
  }

  /** Subjects of events the caller could reach; persons are filtered by the same ability. */
  private loadSubjects(principal: Principal, eventIds: readonly string[]): Promise<PersonModel[][]> {
    return this.dataSource.transaction(async (manager) => {
      const ability = await this.access.abilityFor(principal, manager);
      const rows = await this.eventRows.subjectsOfVisible(manager, ability, eventIds);
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
      const rows = await this.replyRows.ofVisible(manager, ability, eventIds);
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
    const rows = await this.eventRows.acknowledgers(eventIds);
    return eventIds.map((id) => rows.filter((r) => r.event_id === id).map((r) => r.user_id));
  }
}
