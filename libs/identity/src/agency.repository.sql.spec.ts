import { randomUUID } from 'node:crypto';
import { describeRepositorySql } from '@hearth/testing';
import { AgencyRepository } from './agency.repository.js';
import { AgencyKind } from './identity.enums.js';

describeRepositorySql(import.meta.url, {
  'agency.repository': async ({ sql, record, inTransaction }) => {
    const agencies = new AgencyRepository(sql.dataSource);
    await record('AgencyRepository.findByIds', () => agencies.findByIds([randomUUID()]));
    await record('AgencyRepository.list', () => agencies.list());
    await inTransaction('AgencyRepository.exists', (tx) => agencies.exists(tx, randomUUID()));
    await inTransaction('AgencyRepository.nameTaken', (tx) => agencies.nameTaken(tx, 'SQL spec agency'));
    await inTransaction('AgencyRepository.insert', (tx) =>
      agencies.insert(tx, { name: 'SQL spec agency', kind: AgencyKind.OTHER }),
    );
  },
});
