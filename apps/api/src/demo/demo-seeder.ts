import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { UnitOfWork } from '@hearth/database';
import type { Principal, Role } from '@hearth/authz';
import { AgencyService, UserService } from '@hearth/identity';
import { FamilyService, type FamilyRole, type ProtectionStatus } from '@hearth/network';
import { NotificationSettingsService } from '@hearth/notify';
import { TimelineService, type EventKind, type Severity, type Visibility } from '@hearth/timeline';
import { DEMO_FAMILIES, type DemoFamily } from './demo-families.js';
import {
  DEMO_ACCOUNTS,
  DEMO_AGENCIES,
  DEMO_NOTIFICATION_SETTINGS,
  DEMO_PASSWORD,
  type DemoAgencyKey,
} from './demo-partnership.js';

const DAY = 86_400_000;

export type SeedOutcome = 'seeded' | 'already-seeded';

/** Seeds the demo partnership once; a database that has it already is left alone. */
@Injectable()
export class DemoSeeder {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly agencies: AgencyService,
    private readonly users: UserService,
    private readonly families: FamilyService,
    private readonly timelines: TimelineService,
    private readonly notificationSettings: NotificationSettingsService,
  ) {}

  async seed(): Promise<SeedOutcome> {
    if (this.config.nodeEnv === 'production') {
      throw new Error('the demo partnership is never seeded when NODE_ENV=production');
    }
    const outcome = await this.seedAccounts();
    if (outcome === 'seeded') {
      const people = await this.principals();
      // Settings first, so the demo alerts' mail follows them (npm start writes it to .data/mail/).
      for (const [key, principal] of people)
        await this.actingAs(principal, () =>
          this.notificationSettings.update(principal, DEMO_NOTIFICATION_SETTINGS[key] ?? {}),
        );
      // Families go through the same services (and audit) as a practitioner's requests.
      for (const family of DEMO_FAMILIES) await this.seedFamily(family, people);
    }
    return outcome;
  }

  private seedAccounts(): Promise<SeedOutcome> {
    return this.dataSource.transaction(async (manager) => {
      // One seeding at a time, even with several instances starting together.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('hearth:demo-seed'))`);
      const seeded: unknown[] = await manager.query(`SELECT 1 FROM users WHERE email = $1`, [DEMO_ACCOUNTS[0]!.email]);
      if (seeded.length > 0) return 'already-seeded';

      const agencyIds = {} as Record<DemoAgencyKey, string>;
      for (const [key, agency] of Object.entries(DEMO_AGENCIES) as [
        DemoAgencyKey,
        (typeof DEMO_AGENCIES)[DemoAgencyKey],
      ][]) {
        agencyIds[key] = (await this.agencies.insert(manager, agency)).id;
      }
      const userIds = new Map<string, string>();
      for (const account of DEMO_ACCOUNTS) {
        const id = await this.users.provision(manager, {
          agencyId: agencyIds[account.agency],
          email: account.email,
          displayName: account.displayName,
          jobTitle: account.jobTitle,
          phone: account.phone,
          roles: account.roles,
          managerId: account.manager ? userIds.get(account.manager) : null,
          password: DEMO_PASSWORD,
        });
        userIds.set(account.key, id);
      }
      return 'seeded';
    });
  }

  private async principals(): Promise<Map<string, Principal>> {
    const rows: { id: string; agency_id: string; roles: Role[]; email: string }[] = await this.dataSource.query(
      `SELECT id, agency_id, roles, email FROM users WHERE email = ANY($1)`,
      [DEMO_ACCOUNTS.map((a) => a.email)],
    );
    return new Map(
      DEMO_ACCOUNTS.map((account) => {
        const row = rows.find((r) => r.email === account.email)!;
        return [account.key, { userId: row.id, agencyId: row.agency_id, roles: row.roles, sessionId: 'demo-seed' }];
      }),
    );
  }

  private async seedFamily(demo: DemoFamily, people: Map<string, Principal>): Promise<void> {
    const as = (key: string) => {
      const principal = people.get(key);
      if (!principal) throw new Error(`no demo account ${key}`);
      return { ...principal };
    };
    const lead = as(demo.lead);
    const family = await this.actingAs(lead, () =>
      this.families.create(lead, {
        reference: demo.reference,
        protectionStatus: demo.protectionStatus as ProtectionStatus,
      }),
    );
    for (const member of demo.members) {
      const expiresAt = member.expiresInDays ? new Date(Date.now() + member.expiresInDays * DAY) : null;
      await this.actingAs(lead, () =>
        this.families.addMember(as(demo.lead), { familyId: family.id, userId: as(member.who).userId, expiresAt }),
      );
    }
    const personIds = new Map<string, string>();
    for (const person of demo.people) {
      const { key, role, ...rest } = person;
      const created = await this.actingAs(lead, () =>
        this.families.addPerson(as(demo.lead), {
          familyId: family.id,
          role: role as FamilyRole,
          ...rest,
        }),
      );
      personIds.set(key, created.id);
    }
    const eventIds = new Map<string, string>();
    for (const event of demo.events) {
      const author = as(event.by);
      const posted = await this.actingAs(author, () =>
        event.amends
          ? this.timelines.amend(author, eventIds.get(event.amends.event)!, {
              summary: event.summary,
              reason: event.amends.reason,
            })
          : this.timelines.post(author, {
              familyId: family.id,
              kind: event.kind as EventKind,
              severity: event.severity as Severity,
              occurredAt: new Date(Date.now() - event.daysAgo * DAY),
              summary: event.summary,
              body: event.body ?? null,
              subjectIds: (event.about ?? []).map((key) => personIds.get(key)!),
              visibility: (event.visibility ?? null) as Visibility | null,
              audienceUserIds: event.audience ? event.audience.map((key) => as(key).userId) : null,
            }),
      );
      eventIds.set(event.key, posted.id);
      for (const reply of event.replies ?? [])
        await this.actingAs(as(reply.by), () => this.timelines.reply(as(reply.by), posted.id, reply.body));
      for (const who of event.acknowledgedBy ?? [])
        await this.actingAs(as(who), () => this.timelines.acknowledge(as(who), posted.id));
    }
  }

  /**
   * `fn` as `principal`'s own request runs it: in one unit of work for them, so row-level security
   * filters it for that user (a transaction that names no one sees no family's rows).
   */
  private actingAs<T>(principal: Principal, fn: () => Promise<T>): Promise<T> {
    return UnitOfWork.scope(async () => {
      const unit = await UnitOfWork.open(this.dataSource);
      let result: T;
      try {
        await unit.begin(principal.userId);
        result = await fn();
      } catch (error) {
        await unit.rollback();
        throw error;
      }
      await unit.commit();
      return result;
    });
  }
}

export function demoAccountsTable(): string {
  const width = Math.max(...DEMO_ACCOUNTS.map((a) => a.email.length));
  return DEMO_ACCOUNTS.map((a) => `    ${a.email.padEnd(width)}  ${a.roles.join(', ')}`).join('\n');
}
