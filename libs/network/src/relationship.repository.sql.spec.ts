import { randomUUID } from 'node:crypto';
import { describeRepositorySql } from '@hearth/testing';
import { RelationshipRepository } from './relationship.repository.js';

describeRepositorySql(import.meta.url, {
  'relationship.repository': async ({ sql, record }) => {
    const relationships = new RelationshipRepository();
    const manager = sql.dataSource.manager;
    await record('RelationshipRepository.ofUser', () => relationships.ofUser(manager, randomUUID()));
    await record('RelationshipRepository.ofFamilies', () => relationships.ofFamilies(manager, [randomUUID()]));
    await record('RelationshipRepository.ofFamilies (some users)', () =>
      relationships.ofFamilies(manager, [randomUUID()], [randomUUID()]),
    );
  },
});
