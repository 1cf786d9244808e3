import { generateKeyPairSync, createPrivateKey, createPublicKey, hkdfSync, randomUUID } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type NodeEnv = 'development' | 'test' | 'production';

export interface SigningKeys {
  /** PKCS#8 PEM of an Ed25519 private key. */
  readonly privateKeyPem: string;
  /** SPKI PEM of the matching public key. */
  readonly publicKeyPem: string;
}

export interface HearthConfig {
  readonly nodeEnv: NodeEnv;
  readonly host: string;
  /** 0 lets the operating system choose a free port (tests). */
  readonly port: number;
  readonly logLevel: LogLevel;
  readonly logPretty: boolean;
  /** Absolute path; holds the embedded database and development keys. */
  readonly dataDir: string;
  /** True when HEARTH_DATA_DIR was given rather than defaulted. */
  readonly dataDirExplicit: boolean;
  /** Undefined: run an embedded PostgreSQL in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /**
   * The login of the system's own work (hearth_system: every family's rows, for the worker's loops
   * and the doorbell's re-checks). Undefined: derived from the application's connection (see
   * @hearth/database's system data source).
   */
  readonly systemDatabaseUrl: string | undefined;
  readonly migrationsRun: boolean;
  /** Connections the API keeps to PostgreSQL: each GraphQL operation holds one while it runs. */
  readonly databasePoolSize: number;
  readonly seedDemo: boolean;
  /** Run the worker's loops (audit sealer, escalation, ABSENCE rules) inside the API process. */
  readonly runWorker: boolean;
  /** How often the scheduler looks for alerts past their deadline and families gone silent. */
  readonly schedulerIntervalMs: number;
  /** How often the worker sends what the outbox holds. */
  readonly outboxIntervalMs: number;
  /**
   * How often each API node looks for notifications committed for the users connected to it that
   * no push has brought to their sockets (a push lost with the socket adapter or a crashed node).
   */
  readonly deliverySweepIntervalMs: number;
  /** How socket events reach the other nodes: Redis, PostgreSQL LISTEN/NOTIFY, or not at all (one node). */
  readonly socketAdapter: 'redis' | 'postgres' | 'none';
  readonly allowedOrigins: readonly string[];
  /** Absolute path of the built web client, served at `/` when it exists. */
  readonly webRoot: string;
  readonly redisUrl: string | undefined;
  /** Number of proxy hops in front of Hearth whose X-Forwarded-For is trusted. */
  readonly trustedProxyHops: number;
  /**
   * false: the transaction of a query (a read, whose writes are its audit entries) commits without
   * waiting for PostgreSQL's WAL flush (`synchronous_commit = off` for that transaction). The
   * entry is still written in the read's transaction before the answer is sent, but a crash of
   * PostgreSQL may lose the entries of the last fraction of a second (up to three times
   * `wal_writer_delay`) of answered reads. Mutations always wait. Default true.
   */
  readonly readSynchronousCommit: boolean;
  /** Mutations allowed per minute, cluster-wide (the atomic counter in PostgreSQL). */
  readonly mutationLimits: {
    readonly perUser: number;
    readonly perAddress: number;
  };
  /**
   * The bearer token /metrics asks for. Unset: /metrics is open outside production and closed
   * in production (a scraper must be given a token).
   */
  readonly metricsToken: string | undefined;
  /** Where links in outbound mail and webhooks point (the web client's origin). */
  readonly publicUrl: string;
  readonly mail: {
    /** Undefined: outside production, messages are written as .eml files under `<dataDir>/mail/`. */
    readonly smtpUrl: string | undefined;
    readonly from: string;
  };
  readonly auth: {
    readonly keys: SigningKeys;
    readonly issuer: string;
    readonly audience: string;
    readonly accessTokenTtlSeconds: number;
    readonly refreshTokenTtlSeconds: number;
    /**
     * HMAC-SHA256 key for identifiers the audit trail must not keep as typed (the email of a
     * failed login): HEARTH_IDENTIFIER_HASH_KEY, or derived from the signing key (HKDF).
     */
    readonly identifierHashKey: Buffer;
    /** AGENCY_ADMIN, AUDITOR and PARTNERSHIP_ADMIN act as such only in a session signed in with a second factor. */
    readonly mfaRequired: boolean;
  };
}

/** A configuration problem, phrased as one line that names the variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const postgresUrl = z.string().refine((v) => /^postgres(ql)?:\/\/[^\s]+$/.test(v) && URL.canParse(v), {
  error: 'must be a postgres:// URL',
});

const schema = z.object({
  NODE_ENV: z
    .enum(['development', 'test', 'production'], {
      error: 'must be development, test or production',
    })
    .default('development'),
  HOST: z
    .string()
    .regex(/^[\w.:-]+$/, { error: 'must be a host name or address' })
    .optional(),
  PORT: z.coerce
    .number({ error: 'must be an integer from 0 to 65535' })
    .int({ error: 'must be an integer from 0 to 65535' })
    .min(0, { error: 'must be an integer from 0 to 65535' })
    .max(65535, { error: 'must be an integer from 0 to 65535' })
    .default(3000),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).optional(),
  HEARTH_DATA_DIR: z.string().min(1).optional(),
  HEARTH_WEB_ROOT: z.string().min(1).optional(),
  DATABASE_URL: postgresUrl.optional(),
  SYSTEM_DATABASE_URL: postgresUrl.optional(),
  HEARTH_MIGRATIONS_RUN: flag.default(true),
  HEARTH_SEED_DEMO: flag.optional(),
  HEARTH_RUN_WORKER: flag.optional(),
  HEARTH_SCHEDULER_INTERVAL_MS: z.coerce
    .number({ error: 'must be an integer from 100 to 3600000' })
    .int({ error: 'must be an integer from 100 to 3600000' })
    .min(100, { error: 'must be an integer from 100 to 3600000' })
    .max(3_600_000, { error: 'must be an integer from 100 to 3600000' })
    .default(15_000),
  HEARTH_OUTBOX_INTERVAL_MS: z.coerce
    .number({ error: 'must be an integer from 100 to 3600000' })
    .int({ error: 'must be an integer from 100 to 3600000' })
    .min(100, { error: 'must be an integer from 100 to 3600000' })
    .max(3_600_000, { error: 'must be an integer from 100 to 3600000' })
    .default(2_000),
  HEARTH_DELIVERY_SWEEP_INTERVAL_MS: z.coerce
    .number({ error: 'must be an integer from 100 to 60000' })
    .int({ error: 'must be an integer from 100 to 60000' })
    .min(100, { error: 'must be an integer from 100 to 60000' })
    .max(60_000, { error: 'must be an integer from 100 to 60000' })
    .default(2_000),
  HEARTH_SOCKET_ADAPTER: z
    .enum(['auto', 'redis', 'postgres', 'none'], { error: 'must be auto, redis, postgres or none' })
    .default('auto'),
  HEARTH_ALLOWED_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .refine((list) => list.every((o) => URL.canParse(o) && new URL(o).origin === o), {
      error: 'must be a comma-separated list of origins such as https://hearth.example.org',
    })
    .optional(),
  REDIS_URL: z
    .string()
    .refine((v) => /^rediss?:\/\/\S+$/.test(v) && URL.canParse(v), { error: 'must be a redis:// URL' })
    .optional(),
  HEARTH_DATABASE_POOL_SIZE: z.coerce
    .number({ error: 'must be an integer from 1 to 1000' })
    .int({ error: 'must be an integer from 1 to 1000' })
    .min(1, { error: 'must be an integer from 1 to 1000' })
    .max(1000, { error: 'must be an integer from 1 to 1000' })
    .default(10),
  HEARTH_TRUSTED_PROXY_HOPS: z.coerce
    .number({ error: 'must be an integer from 0 to 10' })
    .int({ error: 'must be an integer from 0 to 10' })
    .min(0, { error: 'must be an integer from 0 to 10' })
    .max(10, { error: 'must be an integer from 0 to 10' })
    .default(0),
  HEARTH_READ_SYNCHRONOUS_COMMIT: flag.default(true),
  HEARTH_MUTATIONS_PER_MINUTE_PER_USER: z.coerce
    .number({ error: 'must be an integer from 1 to 1000000' })
    .int({ error: 'must be an integer from 1 to 1000000' })
    .min(1, { error: 'must be an integer from 1 to 1000000' })
    .max(1_000_000, { error: 'must be an integer from 1 to 1000000' })
    .default(60),
  HEARTH_MUTATIONS_PER_MINUTE_PER_ADDRESS: z.coerce
    .number({ error: 'must be an integer from 1 to 1000000' })
    .int({ error: 'must be an integer from 1 to 1000000' })
    .min(1, { error: 'must be an integer from 1 to 1000000' })
    .max(1_000_000, { error: 'must be an integer from 1 to 1000000' })
    .default(600),
  HEARTH_METRICS_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9._~+/=-]{16,256}$/, { error: 'must be 16 to 256 token characters' })
    .optional(),
  SMTP_URL: z
    .string()
    .refine((v) => /^smtps?:\/\/\S+$/.test(v) && URL.canParse(v), { error: 'must be an smtp:// or smtps:// URL' })
    .optional(),
  HEARTH_MAIL_FROM: z
    .string()
    .regex(/^[^\r\n]{3,200}$/, { error: 'must be one line, such as Hearth <hearth@example.org>' })
    .default('Hearth <no-reply@hearth.invalid>'),
  HEARTH_PUBLIC_URL: z
    .string()
    .refine((v) => /^https?:\/\/\S+$/.test(v) && URL.canParse(v), { error: 'must be an http(s):// URL' })
    .optional(),
  HEARTH_JWT_PRIVATE_KEY: z.string().optional(),
  HEARTH_JWT_PUBLIC_KEY: z.string().optional(),
  HEARTH_IDENTIFIER_HASH_KEY: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
  HEARTH_MFA_REQUIRED: flag.optional(),
  HEARTH_JWT_ISSUER: z.string().min(1).default('hearth'),
  HEARTH_JWT_AUDIENCE: z.string().min(1).default('hearth-api'),
  HEARTH_ACCESS_TOKEN_TTL_SECONDS: z.coerce
    .number({ error: 'must be an integer from 30 to 900' })
    .int({ error: 'must be an integer from 30 to 900' })
    .min(30, { error: 'must be an integer from 30 to 900' })
    .max(900, { error: 'must be at most 900 (15 minutes)' })
    .default(900),
  HEARTH_REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number({ error: 'must be an integer from 300 to 2592000' })
    .int({ error: 'must be an integer from 300 to 2592000' })
    .min(300, { error: 'must be an integer from 300 to 2592000' })
    .max(2_592_000, { error: 'must be an integer from 300 to 2592000' })
    .default(43_200),
});

const SECRET_VARIABLES = new Set([
  'HEARTH_JWT_PRIVATE_KEY',
  'HEARTH_IDENTIFIER_HASH_KEY',
  'DATABASE_URL',
  'SYSTEM_DATABASE_URL',
  'REDIS_URL',
  'HEARTH_METRICS_TOKEN',
  'SMTP_URL',
]);

function describeIssue(issue: z.core.$ZodIssue, env: Env): string {
  const name = String(issue.path[0] ?? 'configuration');
  const got = env[name];
  const shown = got === undefined || SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(got)})`;
  return `${name} ${issue.message}${shown}`;
}

/**
 * Reads and validates the environment once. Throws a ConfigError whose message is one line
 * naming every variable that is wrong.
 */
export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): HearthConfig {
  // An empty variable means "not set", as in most shells' `VAR= command`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => describeIssue(i, present)).join('; '));
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const dataDir = resolveDir(e.HEARTH_DATA_DIR ?? '.data', cwd);
  const keys = signingKeys(e.HEARTH_JWT_PRIVATE_KEY, e.HEARTH_JWT_PUBLIC_KEY, production, dataDir);
  const defaultOrigins = [`http://localhost:${e.PORT || 3000}`, `http://127.0.0.1:${e.PORT || 3000}`];

  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST ?? (production ? '0.0.0.0' : '127.0.0.1'),
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    logPretty: e.LOG_FORMAT ? e.LOG_FORMAT === 'pretty' : !production && process.stdout.isTTY === true,
    dataDir,
    dataDirExplicit: e.HEARTH_DATA_DIR !== undefined,
    databaseUrl: e.DATABASE_URL,
    systemDatabaseUrl: e.SYSTEM_DATABASE_URL,
    migrationsRun: e.HEARTH_MIGRATIONS_RUN,
    databasePoolSize: e.HEARTH_DATABASE_POOL_SIZE,
    seedDemo: e.HEARTH_SEED_DEMO ?? e.DATABASE_URL === undefined,
    runWorker: e.HEARTH_RUN_WORKER ?? !production,
    schedulerIntervalMs: e.HEARTH_SCHEDULER_INTERVAL_MS,
    outboxIntervalMs: e.HEARTH_OUTBOX_INTERVAL_MS,
    deliverySweepIntervalMs: e.HEARTH_DELIVERY_SWEEP_INTERVAL_MS,
    socketAdapter: e.HEARTH_SOCKET_ADAPTER === 'auto' ? (e.REDIS_URL ? 'redis' : 'postgres') : e.HEARTH_SOCKET_ADAPTER,
    allowedOrigins: e.HEARTH_ALLOWED_ORIGINS ?? (production ? [] : defaultOrigins),
    webRoot: resolveDir(e.HEARTH_WEB_ROOT ?? 'dist/web', cwd),
    redisUrl: e.REDIS_URL,
    trustedProxyHops: e.HEARTH_TRUSTED_PROXY_HOPS,
    readSynchronousCommit: e.HEARTH_READ_SYNCHRONOUS_COMMIT,
    mutationLimits: {
      perUser: e.HEARTH_MUTATIONS_PER_MINUTE_PER_USER,
      perAddress: e.HEARTH_MUTATIONS_PER_MINUTE_PER_ADDRESS,
    },
    metricsToken: e.HEARTH_METRICS_TOKEN,
    publicUrl: (e.HEARTH_PUBLIC_URL ?? `http://localhost:${e.PORT || 3000}`).replace(/\/+$/, ''),
    mail: { smtpUrl: e.SMTP_URL, from: e.HEARTH_MAIL_FROM },
    auth: {
      keys,
      issuer: e.HEARTH_JWT_ISSUER,
      audience: e.HEARTH_JWT_AUDIENCE,
      accessTokenTtlSeconds: e.HEARTH_ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: e.HEARTH_REFRESH_TOKEN_TTL_SECONDS,
      identifierHashKey: identifierHashKey(e.HEARTH_IDENTIFIER_HASH_KEY, keys),
      mfaRequired: e.HEARTH_MFA_REQUIRED ?? production,
    },
  };
}

/**
 * The server-side secret for hashing identifiers: given, or derived from the signing key with
 * HKDF (so it lives where the signing key lives, and needs no variable of its own).
 */
function identifierHashKey(given: string | undefined, keys: SigningKeys): Buffer {
  if (given !== undefined) return Buffer.from(given, 'utf8');
  const secret = createPrivateKey(keys.privateKeyPem).export({ type: 'pkcs8', format: 'der' });
  return Buffer.from(hkdfSync('sha256', secret, 'hearth', 'identifier-hash', 32));
}

function resolveDir(dir: string, cwd: string): string {
  return isAbsolute(dir) ? dir : resolve(cwd, dir);
}

/** PEM given in an environment variable may have its newlines escaped as `\n`. */
function pem(value: string): string {
  return value.includes('\\n') ? value.replace(/\\n/g, '\n') : value;
}

function signingKeys(
  privateKey: string | undefined,
  publicKey: string | undefined,
  production: boolean,
  dataDir: string,
): SigningKeys {
  if (privateKey !== undefined || publicKey !== undefined) {
    if (privateKey === undefined)
      throw new ConfigError('HEARTH_JWT_PRIVATE_KEY is required when HEARTH_JWT_PUBLIC_KEY is set');
    if (publicKey === undefined)
      throw new ConfigError('HEARTH_JWT_PUBLIC_KEY is required when HEARTH_JWT_PRIVATE_KEY is set');
    return checkedKeys(pem(privateKey), pem(publicKey), 'HEARTH_JWT_PRIVATE_KEY');
  }
  if (production) {
    throw new ConfigError(
      'HEARTH_JWT_PRIVATE_KEY and HEARTH_JWT_PUBLIC_KEY are required when NODE_ENV=production (an Ed25519 key pair in PEM)',
    );
  }
  return developmentKeys(dataDir);
}

function checkedKeys(privateKeyPem: string, publicKeyPem: string, variable: string): SigningKeys {
  try {
    const priv = createPrivateKey(privateKeyPem);
    const pub = createPublicKey(publicKeyPem);
    if (priv.asymmetricKeyType !== 'ed25519' || pub.asymmetricKeyType !== 'ed25519') {
      throw new ConfigError(`${variable} must be an Ed25519 key pair`);
    }
    const derived = createPublicKey(priv).export({ type: 'spki', format: 'pem' });
    if (derived !== pub.export({ type: 'spki', format: 'pem' })) {
      throw new ConfigError('HEARTH_JWT_PUBLIC_KEY does not match HEARTH_JWT_PRIVATE_KEY');
    }
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${variable} is not a valid PEM key`);
  }
  return { privateKeyPem, publicKeyPem };
}

/**
 * Development keys are generated once and kept in the data directory. The private key's file is
 * the pair (the public key is derived from it); processes starting together on a fresh directory
 * (an API and its worker) each make one and publish it with a hard link, which only the first
 * wins: every process reads the same complete file. The public key's file is written beside it
 * for reading by people and tools.
 */
function developmentKeys(dataDir: string): SigningKeys {
  const dir = join(dataDir, 'keys');
  const privatePath = join(dir, 'jwt-ed25519.key');
  const publicPath = join(dir, 'jwt-ed25519.pub');
  try {
    if (!existsSync(privatePath)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const draft = `${privatePath}.${process.pid}.${randomUUID()}`;
      const { privateKey } = generateKeyPairSync('ed25519');
      writeFileSync(draft, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      try {
        linkSync(draft, privatePath);
      } catch (error) {
        if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
      } finally {
        unlinkSync(draft);
      }
    }
    const privateKeyPem = readFileSync(privatePath, 'utf8');
    let publicKeyPem: string;
    try {
      publicKeyPem = createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }) as string;
    } catch {
      throw new ConfigError(`HEARTH_DATA_DIR keys: ${privatePath} is not a valid PEM key`);
    }
    if (!existsSync(publicPath) || readFileSync(publicPath, 'utf8') !== publicKeyPem) {
      const draft = `${publicPath}.${process.pid}.${randomUUID()}`;
      writeFileSync(draft, publicKeyPem, { mode: 0o644 });
      renameSync(draft, publicPath);
    }
    return checkedKeys(privateKeyPem, publicKeyPem, 'HEARTH_DATA_DIR keys');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const reason = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new ConfigError(`HEARTH_DATA_DIR ${dataDir} cannot hold the development signing keys (${reason})`);
  }
}

/**
 * Whether the process environment says production. Libraries that read NODE_ENV once, when they
 * are first imported (graphql-js picks its production build so), see this, not a configuration
 * passed to `loadConfig` in another way.
 */
export function environmentIsProduction(): boolean {
  return process.env['NODE_ENV'] === 'production';
}

/**
 * The value of an environment variable that a stored setting names (an agency identity
 * provider's client secret), read when it is needed so the database never holds the secret.
 */
export function secretNamed(name: string, env: Env = process.env): string | undefined {
  return env[name] || undefined;
}
