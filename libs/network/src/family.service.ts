import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import { DomainEvents, updateReturning } from '@hearth/database';
import { AuditAction, AuditLog } from '@hearth/audit';
import { abilityToSql, allows, CASE_ROLES, perRequest, type CaseAction, type Principal } from '@hearth/authz';
import { badInput, conflict, forbidden, notFound, validate } from '@hearth/errors';
import { decodeCursor, pageSize, parseLocalDate, toConnection, type Connection } from '@hearth/relay';
import { z } from 'zod';
import { AccessService } from './access.service.js';
import {
  activeMembers,
  closeExpiredMembership,
  FAMILY_COLUMNS,
  FAMILY_FIELDS,
  PERSON_COLUMNS,
  PERSON_FIELDS,
  isActiveMember,
  memberUserId,
  toFamilyModel,
  toPersonModel,
  type FamilyRow,
  type MemberRow,
  type PersonRow,
} from './family.repository.js';
import './network.events.js';
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
      const rows: FamilyRow[] = await manager.query(
        `SELECT ${FAMILY_COLUMNS} FROM families f
         WHERE ${filter.sql} AND ($1::timestamptz IS NULL OR (f.created_at, f.id) < ($1::timestamptz, $2::uuid))
         ORDER BY f.created_at DESC, f.id DESC LIMIT $3`,
        [after?.[0] ?? null, after?.[1] ?? null, size + 1, ...filter.params],
      );
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
      const taken: unknown[] = await manager.query(`SELECT 1 FROM families WHERE lower(reference) = lower($1)`, [
        data.reference,
      ]);
      if (taken.length > 0) throw conflict('A family with this reference already exists');
      const rows: FamilyRow[] = await manager.query(
        `INSERT INTO families AS f (reference, protection_status, lead_user_id, created_by) VALUES ($1, $2, $3, $3)
         RETURNING ${FAMILY_COLUMNS}`,
        [data.reference, data.protectionStatus ?? ProtectionStatus.NONE, principal.userId],
      );
      const family = rows[0]!;
      await manager.query(
        `INSERT INTO network_members (family_id, user_id, role, added_by) VALUES ($1, $2, 'LEAD', $2)`,
        [family.id, principal.userId],
      );
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
      const rows: { id: string }[] = await manager.query(
        `INSERT INTO persons (given_name, family_name, date_of_birth, nhs_number, school_upn, police_reference, address,
                              address_withheld, recorded_by_agency_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          data.givenName,
          data.familyName,
          dateOfBirth,
          data.nhsNumber?.replace(/ /g, '') ?? null,
          data.schoolUpn ?? null,
          data.policeReference ?? null,
          data.address ?? null,
          data.addressWithheld ?? false,
          principal.agencyId,
        ],
      );
      const personId = rows[0]!.id;
      await manager.query(
        `INSERT INTO family_memberships (family_id, person_id, role, added_by) VALUES ($1, $2, $3, $4)`,
        [data.familyId, personId, data.role, principal.userId],
      );
      await this.audit.record(manager, {
        action: AuditAction.CREATE,
        actor: principal,
        subjectType: 'Person',
        subjectId: personId,
        familyId: data.familyId,
        personId,
      });
      const person: PersonRow[] = await manager.query(
        `SELECT ${PERSON_COLUMNS} FROM persons p JOIN family_memberships fm ON fm.person_id = p.id WHERE p.id = $1 AND fm.family_id = $2`,
        [personId, data.familyId],
      );
      return toPersonModel(person[0]!, principal.agencyId);
    });
  }

  async setProtectionStatus(principal: Principal, familyId: string, status: ProtectionStatus): Promise<FamilyModel> {
    const id = validate(uuid, familyId);
    const value = validate(z.enum(ProtectionStatus), status);
    return this.dataSource.transaction(async (manager) => {
      const before = await this.visible(manager, principal, id, 'lead', true);
      const rows: FamilyRow[] = await updateReturning(
        manager,
        `UPDATE families f SET protection_status = $2 WHERE id = $1 RETURNING ${FAMILY_COLUMNS}`,
        [id, value],
      );
      await this.audit.record(manager, {
        action: AuditAction.UPDATE,
        actor: principal,
        subjectType: 'Family',
        subjectId: id,
        familyId: id,
        detail: { field: 'protectionStatus', from: before.protection_status, to: value },
      });
      return toFamilyModel(rows[0]!);
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
      if (await isActiveMember(manager, familyId, userId)) throw conflict('Already a member of this network');
      await closeExpiredMembership(manager, familyId, userId);
      const rows: MemberRow[] = await manager.query(
        `INSERT INTO network_members (family_id, user_id, role, added_by, expires_at)
         VALUES ($1, $2, 'MEMBER', $3, $4) RETURNING family_id, user_id, role, added_at, expires_at`,
        [familyId, userId, principal.userId, args.expiresAt ?? null],
      );
      await this.audit.record(manager, {
        action: AuditAction.GRANT,
        actor: principal,
        subjectType: 'NetworkMember',
        subjectId: userId,
        familyId,
        detail: { role: NetworkRole.MEMBER, expiresAt: args.expiresAt?.toISOString() ?? null },
      });
      await this.events.publish(manager, 'network.membership-changed', { familyId, userId, change: 'ADDED' });
      return rows[0]!;
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
      const rows: MemberRow[] = await updateReturning(
        manager,
        `UPDATE network_members SET sensitive = $3, contact_route = $4
         WHERE family_id = $1 AND user_id = $2 AND removed_at IS NULL RETURNING family_id, user_id, role, added_at, expires_at`,
        [familyId, principal.userId, sensitive, contactRoute],
      );
      await this.audit.record(manager, {
        action: AuditAction.UPDATE,
        actor: principal,
        subjectType: 'NetworkMember',
        subjectId: principal.userId,
        familyId,
        detail: { sensitive },
      });
      return rows[0]!;
    });
  }

  /** The lead (or a manager in the network) removes a member; anyone may leave. The lead must hand over first. */
  async removeMember(principal: Principal, familyIdInput: string, userIdInput: string): Promise<boolean> {
    const familyId = validate(uuid, familyIdInput);
    const memberId = validate(uuid, userIdInput);
    return this.dataSource.transaction(async (manager) => {
      const userId = await memberUserId(manager, familyId, memberId);
      const family = await this.visible(
        manager,
        principal,
        familyId,
        userId === principal.userId ? 'read' : 'lead',
        true,
      );
      if (family.lead_user_id === userId) throw conflict('The lead cannot be removed; transfer the lead first');
      const removed: unknown[] = await updateReturning(
        manager,
        `UPDATE network_members SET removed_at = now(), removed_by = $3
         WHERE family_id = $1 AND user_id = $2 AND removed_at IS NULL RETURNING id`,
        [familyId, userId, principal.userId],
      );
      if (removed.length === 0) throw notFound();
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
      const userId = await memberUserId(manager, familyId, memberId);
      if (!(await isActiveMember(manager, familyId, userId))) {
        throw badInput('userId', 'must be an active member of this network');
      }
      await manager.query(
        `UPDATE network_members SET role = 'MEMBER' WHERE family_id = $1 AND user_id = $2 AND removed_at IS NULL`,
        [familyId, family.lead_user_id],
      );
      await manager.query(
        `UPDATE network_members SET role = 'LEAD', expires_at = NULL WHERE family_id = $1 AND user_id = $2 AND removed_at IS NULL`,
        [familyId, userId],
      );
      const rows: FamilyRow[] = await updateReturning(
        manager,
        `UPDATE families f SET lead_user_id = $2 WHERE id = $1 RETURNING ${FAMILY_COLUMNS}`,
        [familyId, userId],
      );
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
      return toFamilyModel(rows[0]!);
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
    const rows: FamilyRow[] = await manager.query(
      `SELECT ${FAMILY_COLUMNS} FROM families f WHERE f.id = $1 AND ${read.sql}${lock ? ' FOR UPDATE' : ''}`,
      [familyId, ...read.params],
    );
    const family = rows[0];
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
      const rows: FamilyRow[] = await manager.query(
        `SELECT ${FAMILY_COLUMNS} FROM families f WHERE f.id = ANY($1) AND ${filter.sql}`,
        [familyIds, ...filter.params],
      );
      await this.audit.recordRead(manager, { actor: principal, subjectType: 'Family', ids: rows.map((r) => r.id) });
      return familyIds.map((id) => {
        const row = rows.find((r) => r.id === id);
        return row ? toFamilyModel(row) : null;
      });
    });
  }

  private loadMembers(principal: Principal, familyIds: readonly string[]): Promise<MemberRow[][]> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await activeMembers(manager, familyIds);
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
      const rows: PersonRow[] = await manager.query(
        `SELECT ${PERSON_COLUMNS} FROM family_memberships fm JOIN persons p ON p.id = fm.person_id
         WHERE fm.family_id = ANY($1) AND ${filter.sql} ORDER BY fm.family_id, fm.added_at, p.id`,
        [familyIds, ...filter.params],
      );
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
    const rows: unknown[] = await manager.query(
      `SELECT 1 FROM users WHERE id = $1 AND status = 'ACTIVE' AND roles && ARRAY['PRACTITIONER','MANAGER']::text[]`,
      [userId],
    );
    if (rows.length === 0) throw badInput('userId', 'must be an active practitioner or manager');
  }
}

function parseDate(value: string): string {
  try {
    return parseLocalDate(value);
  } catch {
    throw badInput('dateOfBirth', 'must be a real calendar date written YYYY-MM-DD');
  }
}
