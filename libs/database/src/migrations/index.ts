import type { MigrationInterface } from 'typeorm';
import { CreateIdentity1795324738262 } from './1795324738262-CreateIdentity.js';
import { CreateAuditTrail1795324944396 } from './1795324944396-CreateAuditTrail.js';
import { CreateNetworksAndTimeline1795325310533 } from './1795325310533-CreateNetworksAndTimeline.js';
import { CreateInbox1795326467446 } from './1795326467446-CreateInbox.js';
import { CreateAlerts1795326643061 } from './1795326643061-CreateAlerts.js';
import { OneSourceOfRelationship1796136633667 } from './1796136633667-OneSourceOfRelationship.js';
import { CreateRateCounters1796136678814 } from './1796136678814-CreateRateCounters.js';
import { AddAccountLifecycle1796136933733 } from './1796136933733-AddAccountLifecycle.js';
import { CreateIdempotencyKeys1796136937410 } from './1796136937410-CreateIdempotencyKeys.js';
import { AddSecondFactor1796137009139 } from './1796137009139-AddSecondFactor.js';
import { AddDirectorySearchLimit1796138055758 } from './1796138055758-AddDirectorySearchLimit.js';
import { CreateNotifyOutbox1796139706228 } from './1796139706228-CreateNotifyOutbox.js';
import { FamilyRowSecurity1796140000000 } from './1796140000000-FamilyRowSecurity.js';
import { AddAgencyIdentityProviders1796150000000 } from './1796150000000-AddAgencyIdentityProviders.js';
import { FamilyRowSecurityEverywhere1796170000000 } from './1796170000000-FamilyRowSecurityEverywhere.js';
import { AddTrustEmailWithoutVerifiedClaim1796180000000 } from './1796180000000-AddTrustEmailWithoutVerifiedClaim.js';
import { FamilyRowSecurityFailsClosed1796190000000 } from './1796190000000-FamilyRowSecurityFailsClosed.js';
import { SystemRole1796200000000 } from './1796200000000-SystemRole.js';

/**
 * Every migration, oldest first. A new migration is added at the end (npm run migration:generate
 * writes the file and lists it here), and a merged migration is never edited.
 */
export const MIGRATIONS: ReadonlyArray<new () => MigrationInterface> = [
  CreateIdentity1795324738262,
  CreateAuditTrail1795324944396,
  CreateNetworksAndTimeline1795325310533,
  CreateInbox1795326467446,
  CreateAlerts1795326643061,
  OneSourceOfRelationship1796136633667,
  CreateRateCounters1796136678814,
  AddAccountLifecycle1796136933733,
  CreateIdempotencyKeys1796136937410,
  AddSecondFactor1796137009139,
  AddDirectorySearchLimit1796138055758,
  CreateNotifyOutbox1796139706228,
  FamilyRowSecurity1796140000000,
  AddAgencyIdentityProviders1796150000000,
  FamilyRowSecurityEverywhere1796170000000,
  AddTrustEmailWithoutVerifiedClaim1796180000000,
  FamilyRowSecurityFailsClosed1796190000000,
  SystemRole1796200000000,
];
