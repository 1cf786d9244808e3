import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { label, field } from '../format.ts';
import { graphql } from '../graphql.ts';
import { EVENT_KINDS } from './timeline.tsx';

const POLICY = graphql(`
  query SharingPolicy {
    me {
      id
      agency {
        id
        sharingPolicy {
          kind
          visibility
        }
      }
    }
  }
`);

const POST = graphql(`
  mutation PostEvent($input: PostEventInput!) {
    postEvent(input: $input) {
      id
    }
  }
`);

const SEVERITIES = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
const VISIBILITIES = [
  { value: 'NETWORK', text: 'Whole network', hint: 'Every member of this network can read it.' },
  { value: 'AGENCY', text: 'My agency only', hint: 'Others see that it exists and whom to contact.' },
  { value: 'RESTRICTED', text: 'Named people or agencies', hint: 'Only those you choose can read it.' },
] as const;
type Kind = (typeof EVENT_KINDS)[number];
type VisibilityValue = (typeof VISIBILITIES)[number]['value'];

export interface PostEventProps {
  familyId: string;
  people: { id: string; givenName: string; familyName: string }[];
  /** Members who can be named in an audience (sensitive members cannot be picked by id). */
  members: { userId: string; displayName: string; agencyName: string }[];
  agencies: { id: string; name: string }[];
  onPosted: () => void;
}

const localNow = () => {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

export function PostEvent({ familyId, people, members, agencies, onPosted }: PostEventProps) {
  const { data } = useQuery(POLICY);
  const [kind, setKind] = useState<Kind>('CONCERN');
  const [chosen, setChosen] = useState<VisibilityValue | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [post, { loading }] = useMutation(POST, { refetchQueries: ['Timeline', 'FamilyAlerts'] });
  const policy = data?.me.agency.sharingPolicy.find((p) => p.kind === kind)?.visibility ?? 'NETWORK';
  const visibility = chosen ?? policy;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const values = new FormData(form);
    const occurred = field(values, 'occurredAt');
    setErrors({});
    try {
      await post({
        variables: {
          input: {
            familyId,
            kind,
            severity: field(values, 'severity') as (typeof SEVERITIES)[number],
            occurredAt: occurred ? new Date(occurred).toISOString() : '',
            summary: field(values, 'summary'),
            body: field(values, 'body') || null,
            subjectIds: values.getAll('subjects').map(String),
            visibility,
            ...(visibility === 'RESTRICTED'
              ? {
                  audienceUserIds: values.getAll('audienceUsers').map(String),
                  audienceAgencyIds: values.getAll('audienceAgencies').map(String),
                }
              : {}),
          },
        },
      });
      form.reset();
      setChosen(null);
      onPosted();
    } catch (error) {
      setErrors(fieldErrors(error));
    }
  };
  const describe = (field: string) =>
    errors[field] ? { 'aria-invalid': true, 'aria-describedby': `err-${field}` } : {};
  const fieldError = (field: string) =>
    errors[field] ? (
      <p id={`err-${field}`} className="error field-error">
        {errors[field]}
      </p>
    ) : null;

  return (
    <form className="post-event" onSubmit={(e) => void submit(e)} aria-labelledby="post-heading" noValidate>
      <h2 id="post-heading">Post to the timeline</h2>
      {errors['form'] && (
        <p className="error" role="alert">
          {errors['form']}
        </p>
      )}
      <div className="row">
        <div>
          <label htmlFor="post-kind">What happened</label>
          <select
            id="post-kind"
            name="kind"
            value={kind}
            onChange={(e) => setKind(e.target.value as Kind)}
            {...describe('kind')}
          >
            {EVENT_KINDS.map((k) => (
              <option key={k} value={k}>
                {label(k)}
              </option>
            ))}
          </select>
          {fieldError('kind')}
        </div>
        <div>
          <label htmlFor="post-severity">Severity</label>
          <select id="post-severity" name="severity" defaultValue="MEDIUM" {...describe('severity')}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {label(s)}
              </option>
            ))}
          </select>
          {fieldError('severity')}
        </div>
        <div>
          <label htmlFor="post-when">When</label>
          <input
            id="post-when"
            name="occurredAt"
            type="datetime-local"
            defaultValue={localNow()}
            {...describe('occurredAt')}
          />
          {fieldError('occurredAt')}
        </div>
      </div>
      <fieldset>
        <legend>About whom</legend>
        <div className="checks">
          {people.map((p) => (
            <label key={p.id}>
              <input type="checkbox" name="subjects" value={p.id} /> {p.givenName} {p.familyName}
            </label>
          ))}
        </div>
        {fieldError('subjectIds')}
      </fieldset>
      <label htmlFor="post-summary">Summary</label>
      <input id="post-summary" name="summary" maxLength={500} {...describe('summary')} />
      {fieldError('summary')}
      <label htmlFor="post-body">Details (optional)</label>
      <textarea id="post-body" name="body" rows={3} {...describe('body')} />
      {fieldError('body')}
      <fieldset>
        <legend>Who can read it</legend>
        {VISIBILITIES.map((v) => (
          <label key={v.value} className="radio">
            <input
              type="radio"
              name="visibility"
              value={v.value}
              checked={visibility === v.value}
              onChange={() => setChosen(v.value)}
            />{' '}
            {v.text}
            {v.value === policy && <span className="muted"> (your agency&apos;s default)</span>}
            <span className="hint"> {v.hint}</span>
          </label>
        ))}
        {fieldError('visibility')}
        {visibility === 'RESTRICTED' && (
          <div className="audience">
            <p className="muted">Choose who may read it.</p>
            <div className="checks" role="group" aria-label="People">
              {members.map((m) => (
                <label key={m.userId}>
                  <input type="checkbox" name="audienceUsers" value={m.userId} /> {m.displayName} ({m.agencyName})
                </label>
              ))}
            </div>
            <div className="checks" role="group" aria-label="Agencies">
              {agencies.map((a) => (
                <label key={a.id}>
                  <input type="checkbox" name="audienceAgencies" value={a.id} /> Everyone at {a.name}
                </label>
              ))}
            </div>
            {fieldError('audienceUserIds')}
            {fieldError('audienceAgencyIds')}
          </div>
        )}
      </fieldset>
      <button type="submit" disabled={loading}>
        {loading ? 'Posting…' : 'Post'}
      </button>
    </form>
  );
}

/** BAD_USER_INPUT names its field: show the message on that field, the rest above the form. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (CombinedGraphQLErrors.is(error)) {
    const out: Record<string, string> = {};
    for (const e of error.errors) {
      const field = typeof e.extensions?.['field'] === 'string' ? e.extensions['field'].split('.')[0]! : 'form';
      out[field] = e.message.replace(/^[\w.]+: /, '');
      if (field === 'form' || e.extensions?.['code'] !== 'BAD_USER_INPUT') out['form'] = e.message;
    }
    return out;
  }
  return { form: error instanceof Error ? error.message : 'Something went wrong' };
}
