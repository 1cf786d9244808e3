import { useMutation, useQuery } from '@apollo/client/react';
import { useState, type FormEvent } from 'react';
import { when, field } from '../format.ts';
import { graphql } from '../graphql.ts';
import { useScreenTitle } from '../router.tsx';
import { fieldErrors } from './post-event.tsx';

const RULES = graphql(`
  query Rules {
    rules {
      id
      name
      kind
      version
      enabled
      updatedAt
      definition
    }
  }
`);
const SET_ENABLED = graphql(`
  mutation SetRuleEnabled($id: ID!, $enabled: Boolean!) {
    setRuleEnabled(id: $id, enabled: $enabled) {
      id
      enabled
      version
    }
  }
`);
const UPSERT = graphql(`
  mutation UpsertRule($input: RuleInput!) {
    upsertRule(input: $input) {
      id
      version
      definition
      name
    }
  }
`);

export function RulesScreen() {
  useScreenTitle('Early-warning rules');
  const { data, error } = useQuery(RULES, { fetchPolicy: 'cache-and-network' });
  const [setEnabled, { error: enableError }] = useMutation(SET_ENABLED, { errorPolicy: 'all' });
  return (
    <section>
      <h1 tabIndex={-1}>Early-warning rules</h1>
      <p className="muted">
        The partnership&apos;s rules. Every change is a new version; alerts name the version that raised them.
      </p>
      {(error ?? enableError) && <p className="error">{(error ?? enableError)?.message}</p>}
      <ul className="rules">
        {data?.rules.map((rule) => (
          <li key={rule.id} className="card" data-testid="rule">
            <h2>{rule.name}</h2>
            <p className="muted">
              {rule.kind} · version {rule.version} · changed {when(rule.updatedAt)}
            </p>
            <label className="switch">
              <input
                type="checkbox"
                checked={rule.enabled}
                onChange={(e) => void setEnabled({ variables: { id: rule.id, enabled: e.target.checked } })}
              />{' '}
              {rule.enabled ? 'Enabled' : 'Disabled'}
            </label>
            <RuleEditor id={rule.id} name={rule.name} definition={rule.definition} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function RuleEditor({ id, name, definition }: { id: string; name: string; definition: string }) {
  const [upsert, { loading }] = useMutation(UPSERT);
  const [error, setError] = useState<string | null>(null);
  const pretty = (() => {
    try {
      return JSON.stringify(JSON.parse(definition), null, 2);
    } catch {
      return definition;
    }
  })();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setError(null);
    const text = field(new FormData(event.currentTarget), 'definition');
    try {
      await upsert({ variables: { input: { id, name, definition: text } } });
    } catch (e) {
      setError(Object.values(fieldErrors(e))[0] ?? 'Could not save');
    }
  };
  return (
    <details>
      <summary>Definition</summary>
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor={`def-${id}`}>Definition (JSON)</label>
        <textarea id={`def-${id}`} name="definition" rows={10} defaultValue={pretty} className="mono" />
        {error && <p className="error">{error}</p>}
        <button type="submit" className="secondary" disabled={loading}>
          Save as a new version
        </button>
      </form>
    </details>
  );
}
