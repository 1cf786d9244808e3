import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainEvents } from '@hearth/database';
import { AuditAction, AuditLog } from '@hearth/audit';
import { UserRepository } from '@hearth/identity';
import { abilityToSql, allows, CASE_ROLES, perRequest, type CaseAction, type Principal } from '@hearth/authz';
import { badInput, conflict, forbidden, notFound, validate } from '@hearth/errors';
import { decodeCursor, pageSize, parseLocalDate, toConnection, type Connection } from '@hearth/pagination';
import { z } from 'zod';
import { AccessService } from './access.service.js';
import {
  FAMILY_FIELDS,
  FamilyRepository,
  PERSON_FIELDS,
  toFamilyModel,
  toPersonModel,
  type FamilyRow,
} from './family.repository.js';
import { MembershipRepository, type MemberRow } from './membership.repository.js';
import './network.events.js';
import { PersonRepository } from './person.repository.js';
import { NetworkRole, ProtectionStatus } from './network.enums.js';
import {
  addPersonSchema,
  createFamilySchema,
  line,
  uuid,
  type AddPersonInput,
  type CreateFamilyInput,
} from './network.inputs.js';
import type { FamilyModel, PersonModel } from './network.models.js';

const LOADERS = Symbol('family-loaders');

interface FamilyLoaders {
  families: DataLoader<string, FamilyModel | null>;
  members: DataLoader<string, MemberRow[]>;
  people: DataLoader<string, PersonModel[]>;
}

/**
 * Families and their networks. Every read goes through the ability's SQL filter and is audited
 * in the same transaction; a family the caller may not see is NOT_FOUND, exactly as one that
 * does not exist.
 */
@Injectable()
export class FamilyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly audit: AuditLog,
    private readonly events: DomainEvents,
    private readonly familyRows: FamilyRepository,
    private readonly memberships: MembershipRepository,
    private readonly persons: PersonRepository,
    private readonly users: UserRepository,
  ) {}

  async get(principal: Principal, familyId: string): Promise<FamilyModel> {
    const id = validate(uuid, familyId);
    return this.dataSource.transaction(async (manager) => {
      const family = await this.visible(manager, principal, id, 'read');
      await this.audit.recordRead(manager, {
        actor: principal,
        subjectType: 'Family',
        subjectId: id,
        familyId: id,
        ids: [id],
        purpose: await this.access.readPurpose(principal, id, manager),
      });
      return toFamilyModel(family);
    });
  }

  /** The caller's caseload: families they may read, newest first. */
  async mine(
    principal: Principal,
    args: { first?: number | null; after?: string | null },
  ): Promise<Connection<FamilyModel>> {
    const size = pageSize(args.first);
    const after = decodeCursor(args.after, ['timestamp', 'uuid']);
    return this.dataSource.transaction(async (manager) => {
      const ability = await this.access.abilityFor(principal, manager);
      const filter = abilityToSql(ability, 'read', 'Family', FAMILY_FIELDS, 4);
      const rows = await this.familyRows.page(manager, filter, after, size + 1);
      const page = rows.slice(0, size);
      await this.audit.recordRead(manager, { actor: principal, subjectType: 'Family', ids: page.map((r) => r.id) });
      return toConnection(rows, size, (r) => [r.created_at.toISOString(), r.id], toFamilyModel);
    });
  }

  async create(principal: Principal, input: CreateFamilyInput): Promise<FamilyModel> {
    const data = validate(createFamilySchema, input);
    if (!principal.roles.some((role) => CASE_ROLES.includes(role)))
      throw forbidden('Only practitioners and managers open family networks');
    return this.dataSource.transaction(async (manager) => {
      if (await this.familyRows.referenceTaken(manager, data.reference))
        throw conflict('A family with this reference already exists');
      const family = await this.familyRows.insert(manager, {
        reference: data.reference,
        protectionStatus: data.protectionStatus ?? ProtectionStatus.NONE,
        leadUserId: principal.userId,
      });
      await this.memberships.insertLead(manager, family.id, principal.userId);
      await this.audit.record(manager, {
        action: AuditAction.CREATE,
        actor: principal,
        subjectType: 'Family',
        subjectId: family.id,
        familyId: family.id,
      });
      return toFamilyModel(family);
    });
  }

  async addPerson(principal: Principal, input: AddPersonInput): Promise<PersonModel> {
    const data = validate(addPersonSchema, input);
    const dateOfBirth = data.dateOfBirth ? parseDate(data.dateOfBirth) : null;
    return this.dataSource.transaction(async (manager) => {
      await this.visible(manager, principal, data.familyId, 'invite');
      const personId = await this.persons.insert(manager, {
        givenName: data.givenName,
        familyName: data.familyName,
        dateOfBirth,
        nhsNumber: data.nhsNumber?.replace(/ /g, '') ?? null,
        schoolUpn: data.schoolUpn ?? null,
        policeReference: data.policeReference ?? null,
        address: data.address ?? null,
        addressWithheld: data.addressWithheld ?? false,
        recordedByAgencyId: principal.agencyId,
      });
      await this.persons.addToFamily(manager, {
        familyId: data.familyId,
        personId,
        role: data.role,
        addedBy: principal.userId,
      });
      await this.audit.record(manager, {
        action: AuditAction.CREATE,
        actor: principal,
        subjectType: 'Person',
        subjectId: personId,
        familyId: data.familyId,
        personId,
      });
      const person = await this.persons.inFamily(manager, data.familyId, personId);
      return toPersonModel(person!, principal.agencyId);
    });
  }

  async setProtectionStatus(principal: Principal, familyId: string, status: ProtectionStatus): Promise<FamilyModel> {
    const id = validate(uuid, familyId);
    const value = validate(z.enum(ProtectionStatus), status);
    return this.dataSource.transaction(async (manager) => {
      const before = await this.visible(manager, principal, id, 'lead', true);
      const family = await this.familyRows.setProtectionStatus(manager, id, value);
      await this.audit.record(manager, {
        action: AuditAction.UPDATE,
        actor: principal,
        subjectType: 'Family',
        subjectId: id,
        familyId: id,
        detail: { field: 'protectionStatus', from: before.protection_status, to: value },
      });
      return toFamilyModel(family);
    });
  }

  async addMember(
    principal: Principal,
    args: { familyId: string; userId: string; expiresAt?: Date | null },
  ): Promise<MemberRow> {
    const familyId = validate(uuid, args.familyId);
    const userId = validate(uuid, args.userId);
    if (args.expiresAt && args.expiresAt.getTime() <= Date.now()) throw badInput('expiresAt', 'must be in the future');
    return this.dataSource.transaction(async (manager) => {
      await this.visible(manager, principal, familyId, 'invite', true);
      await this.checkPractitioner(manager, userId);
      if (await this.memberships.isActive(manager, familyId, userId))
        throw conflict('Already a member of this network');
      await this.memberships.closeExpired(manager, familyId, userId);
      const member = await this.memberships.insertMember(manager, {
        familyId,
        userId,
        addedBy: principal.userId,
        expiresAt: args.expiresAt ?? null,
      });
      await this.audit.record(manager, {
        action: AuditAction.GRANT,
        actor: principal,
        subjectType: 'NetworkMember',
        subjectId: userId,
        familyId,
        detail: { role: NetworkRole.MEMBER, expiresAt: args.expiresAt?.toISOString() ?? null },
      });
      await this.events.publish(manager, 'network.membership-changed', { familyId, userId, change: 'ADDED' });
      return member;
    });
  }

  /**
   * A member marks their own role in a network sensitive (a domestic-abuse service, say): other
   * agencies then see "A practitioner" and the contact route, not their name or service.
   */
  async setOwnSensitivity(
    principal: Principal,
    familyIdInput: string,
    sensitive: boolean,
    contactRouteInput?: string | null,
  ): Promise<MemberRow> {
    const familyId = validate(uuid, familyIdInput);
    const contactRoute = contactRouteInput ? validate(line(200), contactRouteInput) : null;
    if (sensitive && !contactRoute) throw badInput('contactRoute', 'is needed so others can still reach you');
    return this.dataSource.transaction(async (manager) => {
      await this.visible(manager, principal, familyId, 'invite');
      const member = await this.memberships.setSensitivity(
        manager,
        familyId,
        principal.userId,
        sensitive,
        contactRoute,
      );
      await this.audit.record(manager, {
        action: AuditAction.UPDATE,
        actor: principal,
        subjectType: 'NetworkMember',
        subjectId: principal.userId,
        familyId,
        detail: { sensitive },
      });
      return member!;
    });
  }

  /** The lead (or a manager in the network) removes a member; anyone may leave. The lead must hand over first. */
  async removeMember(principal: Principal, familyIdInput: string, userIdInput: string): Promise<boolean> {
    const familyId = validate(uuid, familyIdInput);
    const memberId = validate(uuid, userIdInput);
    return this.dataSource.transaction(async (manager) => {
      const userId = await this.memberships.userIdFor(manager, familyId, memberId);
      const family = await this.visible(
        manager,
        principal,
        familyId,
        userId === principal.userId ? 'read' : 'lead',
        true,
      );
      if (family.lead_user_id === userId) throw conflict('The lead cannot be removed; transfer the lead first');
      if (!(await this.memberships.remove(manager, familyId, userId, principal.userId))) throw notFound();
      await this.audit.record(manager, {
        action: AuditAction.REVOKE,
        actor: principal,
        subjectType: 'NetworkMember',
        subjectId: userId,
        familyId,
      });
      await this.events.publish(manager, 'network.membership-changed', { familyId, userId, change: 'REMOVED' });
      return true;
    });
  }

  async transferLead(principal: Principal, familyIdInput: string, userIdInput: string): Promise<FamilyModel> {
    const familyId = validate(uuid, familyIdInput);
    const memberId = validate(uuid, userIdInput);
    return this.dataSource.transaction(async (manager) => {
      const family = await this.visible(manager, principal, familyId, 'lead', true);
      const userId = await this.memberships.userIdFor(manager, familyId, memberId);
      if (!(await this.memberships.isActive(manager, familyId, userId))) {
        throw badInput('userId', 'must be an active member of this network');
      }
      await this.memberships.handOverLead(manager, familyId, family.lead_user_id, userId);
      const updated = await this.familyRows.setLead(manager, familyId, userId);
      await this.audit.record(manager, {
        action: AuditAction.UPDATE,
        actor: principal,
        subjectType: 'Family',
        subjectId: familyId,
        familyId,
        detail: { field: 'lead', from: family.lead_user_id, to: userId },
      });
      await this.events.publish(manager, 'network.membership-changed', {
        familyId,
        userId,
        change: 'LEAD_TRANSFERRED',
      });
      return toFamilyModel(updated);
    });
  }

  /** A family reached through another object (an event, an alert): batched, filtered, audited. */
  async load(principal: Principal, familyId: string): Promise<FamilyModel> {
    const family = await this.loaders(principal).families.load(familyId);
    if (!family) throw notFound();
    return family;
  }

  /** Members of a family already shown to the caller; batched across families and audited. */
  members(principal: Principal, familyId: string): Promise<MemberRow[]> {
    return this.loaders(principal).members.load(familyId);
  }

  people(principal: Principal, familyId: string): Promise<PersonModel[]> {
    return this.loaders(principal).people.load(familyId);
  }

  /**
   * The family, locked if asked, when the caller may act on it: invisible → NOT_FOUND; visible
   * but not allowed → FORBIDDEN.
   */
  async visible(
    manager: EntityManager,
    principal: Principal,
    familyId: string,
    action: CaseAction,
    lock = false,
  ): Promise<FamilyRow> {
    const ability = await this.access.abilityFor(principal, manager);
    const read = abilityToSql(ability, 'read', 'Family', FAMILY_FIELDS, 2);
    const family = await this.familyRows.visible(manager, familyId, read, lock);
    if (!family) throw notFound();
    if (action !== 'read' && !allows(ability, action, 'Family', { id: familyId })) {
      throw forbidden('Only the lead or a manager in this network can do that');
    }
    return family;
  }

  private loaders(principal: Principal): FamilyLoaders {
    return perRequest(principal, LOADERS, () => ({
      families: new DataLoader<string, FamilyModel | null>((ids) => this.loadFamilies(principal, ids)),
      members: new DataLoader<string, MemberRow[]>((ids) => this.loadMembers(principal, ids)),
      people: new DataLoader<string, PersonModel[]>((ids) => this.loadPeople(principal, ids)),
    }));
  }

  private loadFamilies(principal: Principal, familyIds: readonly string[]): Promise<(FamilyModel | null)[]> {
    return this.dataSource.transaction(async (manager) => {
      const ability = await this.access.abilityFor(principal, manager);
      const filter = abilityToSql(ability, 'read', 'Family', FAMILY_FIELDS, 2);
      const rows = await this.familyRows.visibleAmong(manager, familyIds, filter);
      await this.audit.recordRead(manager, { actor: principal, subjectType: 'Family', ids: rows.map((r) => r.id) });
      return familyIds.map((id) => {
        const row = rows.find((r) => r.id === id);
        return row ? toFamilyModel(row) : null;
      });
    });
  }

  private loadMembers(principal: Principal, familyIds: readonly string[]): Promise<MemberRow[][]> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await this.memberships.active(manager, familyIds);
      for (const familyId of familyIds) {
        const ids = rows.filter((r) => r.family_id === familyId).map((r) => r.user_id);
        await this.audit.recordRead(manager, {
          actor: principal,
          subjectType: 'NetworkMember',
          subjectId: familyId,
          familyId,
          ids,
          purpose: await this.access.readPurpose(principal, familyId, manager),
        });
      }
      return familyIds.map((id) => rows.filter((r) => r.family_id === id));
    });
  }

  private loadPeople(principal: Principal, familyIds: readonly string[]): Promise<PersonModel[][]> {
    return this.dataSource.transaction(async (manager) => {
      const ability = await this.access.abilityFor(principal, manager);
      const filter = abilityToSql(ability, 'read', 'Person', PERSON_FIELDS, 2);
      const rows = await this.persons.ofFamilies(manager, familyIds, filter);
      for (const familyId of familyIds) {
        for (const row of rows.filter((r) => r.family_id === familyId)) {
          await this.audit.recordRead(manager, {
            actor: principal,
            subjectType: 'Person',
            subjectId: row.id,
            familyId,
            personId: row.id,
            ids: [row.id],
            purpose: await this.access.readPurpose(principal, familyId, manager),
          });
        }
      }
      return familyIds.map((id) =>
        rows.filter((r) => r.family_id === id).map((r) => toPersonModel(r, principal.agencyId)),
      );
    });
  }

  private async checkPractitioner(manager: EntityManager, userId: string): Promise<void> {
    if (!(await this.users.isActiveCaseWorker(manager, userId)))
      throw badInput('userId', 'must be an active practitioner or manager');
  }
}

function parseDate(value: string): string {
  try {
    return parseLocalDate(value);
  } catch {
    throw badInput('dateOfBirth', 'must be a real calendar date written YYYY-MM-DD');
  }
}
