import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { perRequest, type Principal } from '@hearth/authz';
import type { AgencyKind } from '@hearth/identity';
import type { ContactCardModel } from './network.models.js';

interface CardRow {
  id: string;
  display_name: string;
  job_title: string | null;
  phone: string | null;
  email: string;
  agency_id: string;
  agency_name: string;
  agency_kind: AgencyKind;
  sensitive: boolean | null;
  contact_route: string | null;
  public_id: string | null;
}

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
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  card(viewer: Principal, familyId: string, userId: string): Promise<ContactCardModel> {
    return this.loader(viewer).load(key(familyId, userId));
  }

  cards(viewer: Principal, familyId: string, userIds: readonly string[]): Promise<ContactCardModel[]> {
    return Promise.all(userIds.map((userId) => this.card(viewer, familyId, userId)));
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
    const rows: (CardRow & { family_id: string })[] = await this.dataSource.query(
      `SELECT k.family_id, u.id, u.display_name, u.job_title, u.phone, u.email, a.id AS agency_id, a.name AS agency_name,
              a.kind AS agency_kind, m.sensitive, m.contact_route, m.public_id
       FROM unnest($1::uuid[], $2::uuid[]) AS k(family_id, user_id)
       JOIN users u ON u.id = k.user_id
       JOIN agencies a ON a.id = u.agency_id
       LEFT JOIN LATERAL (
         SELECT sensitive, contact_route, public_id FROM network_members
         WHERE family_id = k.family_id AND user_id = k.user_id ORDER BY removed_at IS NULL DESC, added_at DESC LIMIT 1
       ) m ON true`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    const byKey = new Map(rows.map((row) => [key(row.family_id, row.id), row]));
    return keys.map((k) => {
      const row = byKey.get(k);
      if (!row) throw new Error(`no user for contact card ${k}`);
      return toCard(row, viewer);
    });
  }
}

/** A sensitive member is unidentifiable to viewers outside their own agency. */
function isMasked(row: CardRow, viewer: Principal): boolean {
  return row.sensitive === true && row.agency_id !== viewer.agencyId;
}

function toCard(row: CardRow, viewer: Principal): ContactCardModel {
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
