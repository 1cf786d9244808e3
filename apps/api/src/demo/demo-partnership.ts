import { Role } from '@hearth/authz';
import { AgencyKind } from '@hearth/identity';

/** The demo partnership of API.md. Every account's password is DEMO_PASSWORD. */
export const DEMO_PASSWORD = 'hearth-demo';

export const DEMO_AGENCIES = {
  socialCare: { name: "Northshire Children's Services", kind: AgencyKind.SOCIAL_CARE },
  police: { name: 'Northshire Police', kind: AgencyKind.POLICE },
  school: { name: 'Riverside Primary School', kind: AgencyKind.EDUCATION },
  health: { name: 'Northshire Health Trust', kind: AgencyKind.HEALTH },
  partnership: { name: 'Northshire Safeguarding Partnership', kind: AgencyKind.OTHER },
} as const;

export type DemoAgencyKey = keyof typeof DEMO_AGENCIES;

export interface DemoAccount {
  readonly key: string;
  readonly email: string;
  readonly displayName: string;
  readonly jobTitle: string;
  readonly phone: string;
  readonly agency: DemoAgencyKey;
  readonly roles: Role[];
  /** The key of the account's line manager. */
  readonly manager?: string;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  {
    key: 'mia',
    email: 'mia.manager@demo.hearth',
    displayName: 'Mia Manning',
    jobTitle: 'Team Manager, Children in Need',
    phone: '01632 960101',
    agency: 'socialCare',
    roles: [Role.MANAGER],
  },
  {
    key: 'sam',
    email: 'sam.social@demo.hearth',
    displayName: 'Sam Okafor',
    jobTitle: 'Social Worker',
    phone: '01632 960102',
    agency: 'socialCare',
    roles: [Role.PRACTITIONER],
    manager: 'mia',
  },
  {
    key: 'pat',
    email: 'pat.police@demo.hearth',
    displayName: 'Pat Reid',
    jobTitle: 'Detective Constable, Public Protection Unit',
    phone: '01632 960201',
    agency: 'police',
    roles: [Role.PRACTITIONER],
  },
  {
    key: 'dee',
    email: 'dee.school@demo.hearth',
    displayName: 'Dee Hughes',
    jobTitle: 'Designated Safeguarding Lead',
    phone: '01632 960301',
    agency: 'school',
    roles: [Role.PRACTITIONER],
  },
  {
    key: 'hal',
    email: 'hal.health@demo.hearth',
    displayName: 'Hal Ahmed',
    jobTitle: 'Health Visitor',
    phone: '01632 960401',
    agency: 'health',
    roles: [Role.PRACTITIONER],
  },
  {
    key: 'ada',
    email: 'ada.admin@demo.hearth',
    displayName: 'Ada Lin',
    jobTitle: 'Systems Administrator',
    phone: '01632 960202',
    agency: 'police',
    roles: [Role.AGENCY_ADMIN],
  },
  {
    key: 'aud',
    email: 'aud.auditor@demo.hearth',
    displayName: 'Aud Brennan',
    jobTitle: 'Information Governance Auditor',
    phone: '01632 960501',
    agency: 'partnership',
    roles: [Role.AUDITOR],
  },
  {
    key: 'pam',
    email: 'pam.partner@demo.hearth',
    displayName: 'Pam Osei',
    jobTitle: 'Partnership Business Manager',
    phone: '01632 960502',
    agency: 'partnership',
    roles: [Role.PARTNERSHIP_ADMIN],
  },
];

/** Each demo account's notification settings (NotificationSettingsInput), as a person in that role might choose. */
export const DEMO_NOTIFICATION_SETTINGS: Readonly<Record<string, Record<string, unknown>>> = {
  mia: { emailFloor: 'AMBER', digestAt: '08:00' },
  sam: { emailFloor: 'AMBER', quietHoursStart: '22:00', quietHoursEnd: '07:00', digestAt: '07:30' },
  pat: { emailFloor: 'RED', webhookFloor: 'AMBER', noDigest: true },
  dee: { emailFloor: 'ALL', quietHoursStart: '21:00', quietHoursEnd: '06:30', digestAt: '07:00' },
  hal: { emailFloor: 'AMBER', digestAt: '07:30' },
  ada: { emailFloor: 'RED', noDigest: true },
  aud: { emailFloor: 'RED', noDigest: true },
  pam: { emailFloor: 'RED', noDigest: true },
};
