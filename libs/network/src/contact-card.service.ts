import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { perRequest, type Principal } from '@hearth/authz';
import { MembershipRepository, type CardRow } from './membership.repository.js';
import type { ContactCardModel } from './network.models.js';

const LOADER = Symbol('contact-cards');
const key = (familyId: string, userId: string) => `${familyId}:${userId}`;

/**
 * Contact cards as a viewer sees them in one family's network. A member who marked their role
 * sensitive shows as "A practitioner" with a contact route to viewers of other agencies: no
 * name, no service, no user id (an opaque id of the membership instead), and the events they post
 * show no agency.
 */
@Injectable()
export class ContactCardService {
  constructor(private readonly memberships: MembershipRepository) {}

  card(viewer: Principal, familyId: string, userId: string): Promise<ContactCardModel> {
    return this.loader(viewer).load(key(familyId, userId));
  }

  cards(viewer: Principal, familyId: string, userIds: readonly string[]): Promise<ContactCardModel[]> {
    return Promise.all(userIds.map((userId) => this.card(viewer, familyId, userId)));
  }

  /**
   * Of these users, those who have marked their role sensitive in any network, now or before: to
   * other agencies they are never listed with their service (the practitioners' directory).
   */
  async sensitiveAmong(userIds: readonly string[]): Promise<ReadonlySet<string>> {
    if (userIds.length === 0) return new Set();
    return new Set(await this.memberships.everSensitive(userIds));
  }

  private loader(viewer: Principal): DataLoader<string, ContactCardModel> {
    return perRequest(
      viewer,
      LOADER,
      () => new DataLoader<string, ContactCardModel>((keys) => this.load(viewer, keys)),
    );
  }

  private async load(viewer: Principal, keys: readonly string[]): Promise<ContactCardModel[]> {
    const pairs = keys.map((k) => k.split(':') as [string, string]);
    const rows = await this.memberships.cards(pairs);
    const byKey = new Map(rows.map((row) => [key(row.family_id, row.id), row]));
    return keys.map((k) => {
      const row = byKey.get(k);
      if (!row) throw new Error(`no user for contact card ${k}`);
      return contactCard(row, viewer);
    });
  }
}

/** A sensitive member is unidentifiable to viewers outside their own agency. */
function isMasked(row: Omit<CardRow, 'family_id'>, viewer: Principal): boolean {
  return row.sensitive === true && row.agency_id !== viewer.agencyId;
}

/** A contact card as the viewer may see it: the one place the sensitive-member rule is applied. */
export function contactCard(row: Omit<CardRow, 'family_id'>, viewer: Principal): ContactCardModel {
  if (isMasked(row, viewer)) {
    return {
      // An id of this membership only: it links nothing across families.
      userId: row.public_id ?? row.id,
      displayName: 'A practitioner',
      jobTitle: null,
      phone: null,
      email: null,
      agency: null,
      contactRoute: row.contact_route ?? 'Ask the lead practitioner',
    };
  }
  return {
    userId: row.id,
    displayName: row.display_name,
    jobTitle: row.job_title,
    phone: row.phone,
    email: row.email,
    agency: { id: row.agency_id, name: row.agency_name, kind: row.agency_kind },
    contactRoute: row.contact_route,
  };
}
