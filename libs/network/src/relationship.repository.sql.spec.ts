import { randomUUID } from 'node:crypto';
import { sessionCheckWithFacts } from '@hearth/identity';
import { describeRepositorySql } from '@hearth/testing';
import { RELATIONSHIPS_OF_USER, RelationshipRepository } from './relationship.repository.js';

describeRepositorySql(import.meta.url, {
  'relationship.repository': async ({ sql, record }) => {
    const relationships = new RelationshipRepository();
    const manager = sql.dataSource.manager;
    await record('RelationshipRepository.ofUser', () => relationships.ofUser(manager, randomUUID()));
    // An operation's facts, read by identity's session check in its statement (AccessService is the FactsSource).
    await record('RelationshipRepository.ofUser (with the session check)', () =>
      manager.query(sessionCheckWithFacts(RELATIONSHIPS_OF_USER), [randomUUID(), randomUUID()]),
    );
    await record('RelationshipRepository.ofFamilies', () => relationships.ofFamilies(manager, [randomUUID()]));
    await record('RelationshipRepository.ofFamilies (some users)', () =>
      relationships.ofFamilies(manager, [randomUUID()], [randomUUID()]),
    );
  },
});
