import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { AgencyService, UserService } from '@hearth/identity';
import { DEMO_ACCOUNTS, DEMO_AGENCIES, DEMO_PASSWORD, type DemoAgencyKey } from './demo-partnership.js';

export type SeedOutcome = 'seeded' | 'already-seeded';

/** Seeds the demo partnership once; a database that has it already is left alone. */
@Injectable()
export class DemoSeeder {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    private readonly agencies: AgencyService,
    private readonly users: UserService,
  ) {}

  async seed(): Promise<SeedOutcome> {
    if (this.config.nodeEnv === 'production') {
      throw new Error('the demo partnership is never seeded when NODE_ENV=production');
    }
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
}

export function demoAccountsTable(): string {
  const width = Math.max(...DEMO_ACCOUNTS.map((a) => a.email.length));
  return DEMO_ACCOUNTS.map((a) => `    ${a.email.padEnd(width)}  ${a.roles.join(', ')}`).join('\n');
}
