import { describe, expect, it } from '@jest/globals';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config.js';

const dataDir = () => mkdtempSync(join(tmpdir(), 'hearth-config-'));

function failure(env: Record<string, string>): string {
  try {
    loadConfig({ HEARTH_DATA_DIR: dataDir(), ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
  it('runs on an embedded database with the demo seeded when nothing is configured', () => {
    const dir = dataDir();
    const config = loadConfig({ HEARTH_DATA_DIR: dir }, '/somewhere');
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      seedDemo: true,
      migrationsRun: true,
      dataDir: dir,
      dataDirExplicit: true,
    });
    expect(config.auth.accessTokenTtlSeconds).toBeLessThanOrEqual(900);
  });

  it('resolves a relative data directory against the working directory', () => {
    const config = loadConfig({}, mkdtempSync(join(tmpdir(), 'hearth-cwd-')));
    expect(config.dataDir).toMatch(/hearth-cwd-.*\/\.data$/);
    expect(config.dataDirExplicit).toBe(false);
  });

  it('does not seed the demo into a database it was pointed at, unless asked', () => {
    const url = 'postgres://hearth@db.internal:5432/hearth';
    expect(loadConfig({ HEARTH_DATA_DIR: dataDir(), DATABASE_URL: url }).seedDemo).toBe(false);
    expect(loadConfig({ HEARTH_DATA_DIR: dataDir(), DATABASE_URL: url, HEARTH_SEED_DEMO: 'true' }).seedDemo).toBe(true);
  });

  it('runs the worker in the API process except in production, unless told', () => {
    expect(loadConfig({ HEARTH_DATA_DIR: dataDir() }).runWorker).toBe(true);
    expect(loadConfig({ HEARTH_DATA_DIR: dataDir(), HEARTH_RUN_WORKER: 'false' }).runWorker).toBe(false);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const production = {
      NODE_ENV: 'production',
      HEARTH_DATA_DIR: dataDir(),
      HEARTH_JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      HEARTH_JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    expect(loadConfig(production).runWorker).toBe(false);
    expect(loadConfig({ ...production, HEARTH_RUN_WORKER: 'true' }).runWorker).toBe(true);
    expect(failure({ HEARTH_RUN_WORKER: 'sometimes' })).toBe(
      'HEARTH_RUN_WORKER must be true or false (got "sometimes")',
    );
  });

  it('sweeps for undelivered notifications every 2 seconds unless told, from 100 ms to a minute', () => {
    expect(loadConfig({ HEARTH_DATA_DIR: dataDir() }).deliverySweepIntervalMs).toBe(2000);
    expect(
      loadConfig({ HEARTH_DATA_DIR: dataDir(), HEARTH_DELIVERY_SWEEP_INTERVAL_MS: '500' }).deliverySweepIntervalMs,
    ).toBe(500);
    for (const bad of ['0', '99', '60001', 'often'])
      expect(failure({ HEARTH_DELIVERY_SWEEP_INTERVAL_MS: bad })).toBe(
        `HEARTH_DELIVERY_SWEEP_INTERVAL_MS must be an integer from 100 to 60000 (got "${bad}")`,
      );
  });

  it('waits for the WAL flush of a read unless told not to', () => {
    expect(loadConfig({ HEARTH_DATA_DIR: dataDir() }).readSynchronousCommit).toBe(true);
    expect(
      loadConfig({ HEARTH_DATA_DIR: dataDir(), HEARTH_READ_SYNCHRONOUS_COMMIT: 'false' }).readSynchronousCommit,
    ).toBe(false);
    expect(failure({ HEARTH_READ_SYNCHRONOUS_COMMIT: 'off' })).toBe(
      'HEARTH_READ_SYNCHRONOUS_COMMIT must be true or false (got "off")',
    );
  });

  it('names the variable and the value that is wrong, on one line', () => {
    const message = failure({ PORT: 'eighty' });
    expect(message).toBe('PORT must be an integer from 0 to 65535 (got "eighty")');
    expect(failure({ LOG_LEVEL: 'loud' })).toMatch(/^LOG_LEVEL must be one of fatal, error/);
    expect(failure({ HEARTH_SEED_DEMO: 'maybe' })).toBe('HEARTH_SEED_DEMO must be true or false (got "maybe")');
  });

  it('reports every wrong variable at once, still on one line', () => {
    const message = failure({ PORT: '-1', NODE_ENV: 'staging' });
    expect(message).toContain('PORT must be');
    expect(message).toContain('NODE_ENV must be development, test or production');
    expect(message).not.toContain('\n');
  });

  it('never echoes a database URL, which may hold a password', () => {
    const message = failure({ DATABASE_URL: 'mysql://user:secret@host/db' });
    expect(message).toBe('DATABASE_URL must be a postgres:// URL');
  });

  it('rejects an origin list with anything but origins', () => {
    expect(failure({ HEARTH_ALLOWED_ORIGINS: 'https://a.example, not a url' })).toMatch(
      /^HEARTH_ALLOWED_ORIGINS must be/,
    );
    const config = loadConfig({
      HEARTH_DATA_DIR: dataDir(),
      HEARTH_ALLOWED_ORIGINS: 'https://a.example,https://b.example',
    });
    expect(config.allowedOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('requires signing keys in production and accepts an Ed25519 pair', () => {
    expect(failure({ NODE_ENV: 'production' })).toMatch(
      /HEARTH_JWT_PRIVATE_KEY and HEARTH_JWT_PUBLIC_KEY are required/,
    );
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const config = loadConfig({
      NODE_ENV: 'production',
      HEARTH_DATA_DIR: dataDir(),
      HEARTH_JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().replace(/\n/g, '\\n'),
      HEARTH_JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    });
    expect(config.auth.keys.privateKeyPem).toContain('BEGIN PRIVATE KEY');
    expect(config.host).toBe('0.0.0.0');
  });

  it('refuses a public key that does not match the private key', () => {
    const a = generateKeyPairSync('ed25519');
    const b = generateKeyPairSync('ed25519');
    expect(
      failure({
        HEARTH_JWT_PRIVATE_KEY: a.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        HEARTH_JWT_PUBLIC_KEY: b.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      }),
    ).toBe('HEARTH_JWT_PUBLIC_KEY does not match HEARTH_JWT_PRIVATE_KEY');
  });

  it('generates development keys once and keeps them in the data directory', () => {
    const dir = dataDir();
    const first = loadConfig({ HEARTH_DATA_DIR: dir });
    const second = loadConfig({ HEARTH_DATA_DIR: dir });
    expect(second.auth.keys).toEqual(first.auth.keys);
    expect(readFileSync(join(dir, 'keys', 'jwt-ed25519.pub'), 'utf8')).toBe(first.auth.keys.publicKeyPem);
  });

  it('keeps the identifier hash key with the signing keys: stable per deployment, secret, overridable', () => {
    const dir = dataDir();
    const first = loadConfig({ HEARTH_DATA_DIR: dir }).auth.identifierHashKey;
    expect(loadConfig({ HEARTH_DATA_DIR: dir }).auth.identifierHashKey).toEqual(first);
    expect(first.length).toBe(32);
    expect(loadConfig({ HEARTH_DATA_DIR: dataDir() }).auth.identifierHashKey).not.toEqual(first);
    const given = 'k'.repeat(40);
    expect(loadConfig({ HEARTH_DATA_DIR: dir, HEARTH_IDENTIFIER_HASH_KEY: given }).auth.identifierHashKey).toEqual(
      Buffer.from(given),
    );
    expect(failure({ HEARTH_IDENTIFIER_HASH_KEY: 'too-short-secret' })).toBe(
      'HEARTH_IDENTIFIER_HASH_KEY must be at least 32 characters',
    );
  });

  it('requires a second factor for oversight roles in production, and elsewhere only when asked', () => {
    expect(loadConfig({ HEARTH_DATA_DIR: dataDir() }).auth.mfaRequired).toBe(false);
    expect(loadConfig({ HEARTH_DATA_DIR: dataDir(), HEARTH_MFA_REQUIRED: 'true' }).auth.mfaRequired).toBe(true);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const production = {
      NODE_ENV: 'production',
      HEARTH_DATA_DIR: dataDir(),
      HEARTH_JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      HEARTH_JWT_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    expect(loadConfig(production).auth.mfaRequired).toBe(true);
    expect(loadConfig({ ...production, HEARTH_MFA_REQUIRED: 'false' }).auth.mfaRequired).toBe(false);
    expect(failure({ HEARTH_MFA_REQUIRED: 'sometimes' })).toBe(
      'HEARTH_MFA_REQUIRED must be true or false (got "sometimes")',
    );
  });
});
