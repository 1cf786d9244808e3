import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { AuditVerifier } from '@hearth/audit';
import { loadConfig } from '@hearth/config';
import { dataSourceOptions, openDatabase } from '@hearth/database';
import { runCli } from './run-cli.js';

/** Exit code when the chain does not verify (1 is a failure to run at all). */
const BROKEN = 2;

/**
 * Recomputes the audit hash chain of the configured (or embedded) database and prints what
 * `auditIntegrity` answers, as one JSON line.
 */
await runCli(async () => {
  const config = loadConfig();
  const database = await openDatabase(config, (line) => process.stderr.write(`${line}\n`));
  const dataSource = new DataSource(dataSourceOptions(database.url, [], 1));
  try {
    await dataSource.initialize();
    const report = await new AuditVerifier(dataSource).verify();
    process.stdout.write(`${JSON.stringify(report)}\n`);
    if (!report.verified) {
      process.stderr.write(`hearth: the audit trail does not verify: ${report.problem ?? 'unknown'}\n`);
      process.exitCode = BROKEN;
    }
  } finally {
    await dataSource.destroy().catch(() => undefined);
    await database.close();
  }
});
