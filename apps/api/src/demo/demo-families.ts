import type { EventKind, Severity, Visibility } from '@hearth/timeline';
import type { FamilyRole, ProtectionStatus } from '@hearth/network';

/** Fictional families of the demo partnership. Times are days before the seeding. */
export interface DemoFamily {
  readonly reference: string;
  readonly protectionStatus: `${ProtectionStatus}`;
  readonly lead: string;
  readonly members: readonly { readonly who: string; readonly expiresInDays?: number }[];
  readonly people: readonly {
    readonly key: string;
    readonly role: `${FamilyRole}`;
    readonly givenName: string;
    readonly familyName: string;
    readonly dateOfBirth?: string;
    readonly nhsNumber?: string;
    readonly schoolUpn?: string;
    readonly address?: string;
    readonly addressWithheld?: boolean;
  }[];
  readonly events: readonly DemoEvent[];
}

export interface DemoEvent {
  readonly key: string;
  readonly by: string;
  readonly daysAgo: number;
  readonly kind: `${EventKind}`;
  readonly severity: `${Severity}`;
  readonly summary: string;
  readonly body?: string;
  readonly about?: readonly string[];
  readonly visibility?: `${Visibility}`;
  readonly audience?: readonly string[];
  readonly amends?: { readonly event: string; readonly reason: string };
  readonly replies?: readonly { readonly by: string; readonly body: string }[];
  readonly acknowledgedBy?: readonly string[];
}

export const DEMO_FAMILIES: readonly DemoFamily[] = [
  {
    reference: 'NS-2026-0142',
    protectionStatus: 'CHILD_IN_NEED',
    lead: 'sam',
    members: [{ who: 'pat' }, { who: 'dee' }, { who: 'hal' }],
    people: [
      {
        key: 'jayden',
        role: 'CHILD',
        givenName: 'Jayden',
        familyName: 'Walsh',
        dateOfBirth: '2018-09-14',
        schoolUpn: 'K820317411024',
      },
      {
        key: 'kerry',
        role: 'PARENT',
        givenName: 'Kerry',
        familyName: 'Walsh',
        dateOfBirth: '1994-02-03',
        address: '14 Ash Grove, Northshire',
      },
      { key: 'dean', role: 'PERSON_OF_CONCERN', givenName: 'Dean', familyName: 'Fisher', dateOfBirth: '1990-11-21' },
    ],
    events: [
      {
        key: 'referral',
        by: 'sam',
        daysAgo: 92,
        kind: 'REFERRAL',
        severity: 'MEDIUM',
        summary: 'Referral from school: Jayden often hungry and tired',
        body: 'Class teacher reports Jayden arriving without breakfast most days and falling asleep in lessons. Mum engaged on the phone and agreed to a home visit.',
        about: ['jayden'],
        acknowledgedBy: ['dee'],
      },
      {
        key: 'absence',
        by: 'dee',
        daysAgo: 61,
        kind: 'SCHOOL_ABSENCE',
        severity: 'LOW',
        summary: 'Three unexplained absences in two weeks',
        body: 'Attendance 86% this half term. Mum says Jayden has had a cough; no medical evidence provided.',
        about: ['jayden'],
        replies: [{ by: 'hal', body: 'No GP contact for Jayden since March. I will raise it at the next visit.' }],
      },
      {
        key: 'da1',
        by: 'pat',
        daysAgo: 40,
        kind: 'DOMESTIC_ABUSE_INCIDENT',
        severity: 'HIGH',
        summary: 'Police called to a verbal argument at the home address',
        body: 'Neighbour reported shouting at 23:10. Dean Fisher present and intoxicated; left voluntarily. Jayden was asleep upstairs. DASH risk: standard.',
        about: ['jayden', 'kerry', 'dean'],
        acknowledgedBy: ['sam', 'dee'],
      },
      {
        key: 'intel',
        by: 'pat',
        daysAgo: 38,
        kind: 'NOTE',
        severity: 'MEDIUM',
        summary: 'Intelligence: Dean Fisher has a previous caution for assault',
        body: 'Held on police systems only; shared with the police officers in this network.',
        about: ['dean'],
        visibility: 'AGENCY',
      },
      {
        key: 'missed',
        by: 'hal',
        daysAgo: 30,
        kind: 'APPOINTMENT_MISSED',
        severity: 'LOW',
        summary: 'Missed the school nurse hearing screening',
        about: ['jayden'],
      },
      {
        key: 'meeting',
        by: 'sam',
        daysAgo: 21,
        kind: 'MEETING',
        severity: 'INFO',
        summary: 'Team around the family meeting held',
        body: 'Attended by mum, school and health. Plan: breakfast club place, GP appointment for Jayden, mum to contact the domestic abuse service.',
        about: ['jayden', 'kerry'],
        replies: [
          { by: 'dee', body: 'Breakfast club place confirmed from Monday.' },
          { by: 'sam', body: 'Thanks Dee. I will check in with mum on Friday.' },
        ],
      },
      {
        key: 'meeting-fix',
        by: 'sam',
        daysAgo: 20,
        kind: 'MEETING',
        severity: 'INFO',
        summary: 'Team around the family meeting held (police attended)',
        about: ['jayden', 'kerry'],
        amends: { event: 'meeting', reason: 'The attendance list missed PC Reid' },
      },
      {
        key: 'da2',
        by: 'pat',
        daysAgo: 6,
        kind: 'DOMESTIC_ABUSE_INCIDENT',
        severity: 'HIGH',
        summary: 'Second call-out: Kerry reports being pushed by Dean',
        body: 'Dean Fisher arrested and bailed with a condition not to attend the address. Jayden was present and upset; school informed under Operation Encompass.',
        about: ['jayden', 'kerry', 'dean'],
      },
    ],
  },
  {
    reference: 'NS-2026-0157',
    protectionStatus: 'CHILD_PROTECTION_PLAN',
    lead: 'sam',
    members: [{ who: 'hal' }],
    people: [
      {
        key: 'amira',
        role: 'CHILD',
        givenName: 'Amira',
        familyName: 'Hassan',
        dateOfBirth: '2026-03-02',
        nhsNumber: '4857773456',
      },
      {
        key: 'leila',
        role: 'PARENT',
        givenName: 'Leila',
        familyName: 'Hassan',
        dateOfBirth: '2001-07-19',
        address: 'Refuge address held by Children’s Services',
        addressWithheld: true,
      },
    ],
    events: [
      {
        key: 'plan',
        by: 'sam',
        daysAgo: 75,
        kind: 'PLAN_CHANGE',
        severity: 'HIGH',
        summary: 'Initial child protection conference: plan under neglect',
        body: 'Core group: social worker, health visitor, GP. Weekly health visitor contact while mum settles in the refuge.',
        about: ['amira', 'leila'],
        acknowledgedBy: ['hal'],
      },
      {
        key: 'weight',
        by: 'hal',
        daysAgo: 33,
        kind: 'CONCERN',
        severity: 'MEDIUM',
        summary: 'Weight dropped from the 25th to the 9th centile',
        body: 'Feeding plan agreed with mum; review in two weeks.',
        about: ['amira'],
        replies: [{ by: 'sam', body: 'Noted. I will join the review visit.' }],
      },
      {
        key: 'restricted',
        by: 'hal',
        daysAgo: 12,
        kind: 'NOTE',
        severity: 'MEDIUM',
        summary: 'Mum disclosed low mood; referred to perinatal mental health',
        body: 'Shared only with the lead social worker at mum’s request.',
        about: ['leila'],
        visibility: 'RESTRICTED',
        audience: ['sam'],
      },
      {
        key: 'review',
        by: 'hal',
        daysAgo: 4,
        kind: 'ASSESSMENT',
        severity: 'LOW',
        summary: 'Weight review: back on the 16th centile',
        about: ['amira'],
      },
    ],
  },
  {
    reference: 'NS-2026-0163',
    protectionStatus: 'EARLY_HELP',
    lead: 'sam',
    members: [{ who: 'dee' }, { who: 'pat', expiresInDays: 60 }],
    people: [
      {
        key: 'tyler',
        role: 'CHILD',
        givenName: 'Tyler',
        familyName: 'Brooks',
        dateOfBirth: '2012-05-30',
        schoolUpn: 'K820317411187',
      },
      { key: 'ruby', role: 'SIBLING', givenName: 'Ruby', familyName: 'Brooks', dateOfBirth: '2016-01-11' },
      {
        key: 'gail',
        role: 'CARER',
        givenName: 'Gail',
        familyName: 'Brooks',
        dateOfBirth: '1961-08-08',
        address: '3 Mill Lane, Riverside',
      },
    ],
    events: [
      {
        key: 'early-help',
        by: 'sam',
        daysAgo: 58,
        kind: 'ASSESSMENT',
        severity: 'LOW',
        summary: 'Early help assessment with grandmother, who is kinship carer',
        about: ['tyler', 'ruby', 'gail'],
      },
      {
        key: 'missing',
        by: 'pat',
        daysAgo: 19,
        kind: 'MISSING_EPISODE',
        severity: 'HIGH',
        summary: 'Tyler reported missing overnight; found in the town centre',
        body: 'Return interview offered. Tyler said he was with older friends; possible exploitation indicators.',
        about: ['tyler'],
        acknowledgedBy: ['sam'],
      },
      {
        key: 'behaviour',
        by: 'dee',
        daysAgo: 9,
        kind: 'CONCERN',
        severity: 'MEDIUM',
        summary: 'Ruby worried about her brother coming home late',
        about: ['ruby', 'tyler'],
      },
    ],
  },
];
