import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate as lintDockerfile } from 'dockerfile-utils';
import pg from 'pg';
import { createTestDatabase } from '@hearth/testing';
import {
  containersOf,
  kustomize,
  parseYamlDocuments,
  podSpecOf,
  readYamlDocuments,
  type Manifest,
} from './support/kustomize.js';

/**
 * What can be checked of deploy/ without a container engine or a cluster: every YAML parses, the
 * Kubernetes overlays build and validate against the Kubernetes schemas, the security settings
 * hold in every pod, compose and the image are wired as documented, and the monitoring queries
 * run on a migrated database.
 */
const root = fileURLToPath(new URL('../', import.meta.url));
const deploy = join(root, 'deploy');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function kubectlKustomize(dir: string): Manifest[] | undefined {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
  } catch {
    return undefined; // no kubectl here: our own build stands alone
  }
  return parseYamlDocuments(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' })) as Manifest[];
}

type ModelClass = new (data: unknown) => { validate(): void };

/** Validates a manifest against the Kubernetes JSON schema of its apiVersion and kind. */
async function validateManifest(doc: Manifest): Promise<void> {
  const [group, version] = doc.apiVersion.includes('/') ? doc.apiVersion.split('/') : [undefined, doc.apiVersion];
  const module = (await import(`kubernetes-models/${group ? `${group}/` : ''}${version}`)) as Record<
    string,
    ModelClass
  >;
  const Model = module[doc.kind];
  if (!Model) throw new Error(`no schema for ${doc.apiVersion} ${doc.kind}`);
  new Model(doc).validate();
}

const key = (d: Manifest) => `${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`;
const sorted = (docs: Manifest[]) => [...docs].sort((a, b) => key(a).localeCompare(key(b)));

describe('deploy/', () => {
  it('has only YAML that parses', () => {
    const yamlFiles = filesUnder(deploy).filter((f) => /\.ya?ml$/.test(f));
    expect(yamlFiles.length).toBeGreaterThan(15);
    for (const file of yamlFiles) {
      expect(() => readYamlDocuments(file)).not.toThrow();
    }
  });

  describe.each(['base', 'overlays/production'])('Kubernetes %s', (overlay) => {
    const dir = join(deploy, 'k8s', overlay);
    const docs = kustomize(dir);
    const byKind = (kind: string) => docs.filter((d) => d.kind === kind);

    it('builds, and matches kubectl kustomize where kubectl is installed', () => {
      const kinds = new Set(docs.map((d) => d.kind));
      for (const kind of [
        'Deployment',
        'Job',
        'Service',
        'Ingress',
        'ConfigMap',
        'PodDisruptionBudget',
        'HorizontalPodAutoscaler',
        'NetworkPolicy',
        'ServiceAccount',
      ]) {
        expect(kinds).toContain(kind);
      }
      const official = kubectlKustomize(dir);
      if (official) expect(sorted(docs)).toEqual(sorted(official));
    });

    it('validates against the Kubernetes schemas', async () => {
      for (const doc of docs) await validateManifest(doc);
    });

    it('runs every container non-root, read-only, unprivileged, with limits and a pinned image', () => {
      for (const doc of [...byKind('Deployment'), ...byKind('Job')]) {
        const pod = podSpecOf(doc)!;
        const podSecurity = pod['securityContext'] as Record<string, unknown>;
        expect({ doc: key(doc), runAsNonRoot: podSecurity['runAsNonRoot'] }).toEqual({
          doc: key(doc),
          runAsNonRoot: true,
        });
        expect(podSecurity['runAsUser']).toBeGreaterThan(0);
        expect(pod['automountServiceAccountToken']).toBe(false);
        for (const container of containersOf(doc)) {
          expect(container['securityContext']).toMatchObject({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          });
          expect(container['resources']).toMatchObject({ requests: { cpu: expect.any(String) }, limits: {} });
          expect(container.image).toMatch(/^registry\.example\.org\/hearth:\d+\.\d+\.\d+$/);
        }
      }
    });

    it('runs api, worker and migrate from one image by their command, the api probed on its health routes', () => {
      const commands = [...byKind('Deployment'), ...byKind('Job')].flatMap((d) =>
        containersOf(d).map((c) => (c['args'] as string[])[0]),
      );
      expect(commands.sort()).toEqual(['api', 'migrate', 'worker']);
      const api = containersOf(byKind('Deployment').find((d) => d.metadata.name === 'hearth-api')!)[0]!;
      expect(api['readinessProbe']).toMatchObject({ httpGet: { path: '/health/ready' } });
      expect(api['livenessProbe']).toMatchObject({ httpGet: { path: '/health/live' } });
      const migrate = containersOf(byKind('Job')[0]!)[0]!;
      const databaseUrl = (migrate['env'] as { name: string; valueFrom?: { secretKeyRef?: { key: string } } }[]).find(
        (e) => e.name === 'DATABASE_URL',
      );
      // The job alone connects as the owner.
      expect(databaseUrl?.valueFrom?.secretKeyRef?.key).toBe('MIGRATION_DATABASE_URL');
      const ingress = byKind('Ingress')[0]!;
      expect(ingress.metadata).toMatchObject({
        annotations: { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600' },
      });
    });

    it('lets only the ingress controller reach the api, and only Hearth pods reach the database', () => {
      const policies = byKind('NetworkPolicy') as (Manifest & { spec: Record<string, unknown> })[];
      const apiIngress = policies.filter(
        (p) =>
          (p.spec['podSelector'] as { matchLabels: Record<string, string> }).matchLabels[
            'app.kubernetes.io/component'
          ] === 'api',
      );
      const sources = apiIngress.flatMap((p) =>
        (p.spec['ingress'] as { from: { namespaceSelector: { matchLabels: Record<string, string> } }[] }[]).flatMap(
          (rule) => rule.from.map((f) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']),
        ),
      );
      expect(sources).toEqual(overlay === 'base' ? ['ingress-nginx'] : ['ingress-nginx', 'monitoring']);
      const denyAll = policies.find((p) => p.metadata.name === 'hearth-default-deny')!;
      expect(denyAll.spec['policyTypes']).toEqual(['Ingress', 'Egress']);
      const database = policies.find((p) => p.metadata.name === 'hearth-postgres-from-hearth')!;
      expect(database.spec['ingress']).toEqual([
        {
          from: [
            {
              podSelector: {
                matchLabels: { 'app.kubernetes.io/name': 'hearth', 'hearth.example.org/database-client': 'true' },
              },
            },
          ],
          ports: [{ protocol: 'TCP', port: 5432 }],
        },
      ]);
      const clients = [...byKind('Deployment'), ...byKind('Job')].filter(
        (d) =>
          (d['spec'] as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels[
            'hearth.example.org/database-client'
          ] === 'true',
      );
      expect(clients.map((d) => d.metadata.name).sort()).toEqual(['hearth-api', 'hearth-migrate', 'hearth-worker']);
    });
  });

  it('gives the production overlay its namespace, replicas and host', () => {
    const docs = kustomize(join(deploy, 'k8s/overlays/production'));
    expect(new Set(docs.filter((d) => d.kind !== 'Namespace').map((d) => d.metadata.namespace))).toEqual(
      new Set(['hearth']),
    );
    const api = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'hearth-api')!;
    expect((api['spec'] as { replicas: number }).replicas).toBe(3);
    expect(JSON.stringify(docs.find((d) => d.kind === 'Ingress'))).toContain('hearth.northshire.example.org');
  });

  it('runs the scheduled work in the worker only, and gives api and worker the Redis adapter where it is chosen', () => {
    for (const overlay of ['base', 'overlays/production']) {
      const docs = kustomize(join(deploy, 'k8s', overlay));
      const config = docs.find((d) => d.kind === 'ConfigMap')!['data'] as Record<string, string>;
      const envOf = (name: string) =>
        containersOf(docs.find((d) => d.kind === 'Deployment' && d.metadata.name === name)!)[0]!['env'] as {
          name: string;
          value?: string;
        }[];
      expect(envOf('hearth-api').find((e) => e.name === 'HEARTH_RUN_WORKER')?.value).toBe('false');
      for (const name of ['hearth-api', 'hearth-worker']) {
        const hasRedis = envOf(name).some((e) => e.name === 'REDIS_URL');
        expect({ overlay, name, hasRedis }).toEqual({
          overlay,
          name,
          hasRedis: config['HEARTH_SOCKET_ADAPTER'] === 'redis',
        });
      }
    }
  });

  describe('compose.yaml', () => {
    const compose = readYamlDocuments(join(deploy, 'compose.yaml'))[0] as {
      services: Record<string, Record<string, unknown>>;
    };
    const services = compose.services;

    it('runs PostgreSQL, Redis, a one-shot migration, two API replicas, a worker and a proxy', () => {
      expect(Object.keys(services).sort()).toEqual(['api', 'migrate', 'postgres', 'proxy', 'redis', 'worker']);
      expect(services['api']!['deploy']).toEqual({ replicas: 2 });
      expect(services['migrate']!['command']).toEqual(['migrate']);
      expect(services['api']!['command']).toEqual(['api']);
      expect(services['worker']!['command']).toEqual(['worker']);
      expect(services['migrate']!['restart']).toBe('no');
    });

    it('starts in the order of health: database, migration, api, proxy', () => {
      expect(services['migrate']!['depends_on']).toEqual({ postgres: { condition: 'service_healthy' } });
      expect(services['api']!['depends_on']).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
      });
      expect(services['proxy']!['depends_on']).toEqual({ api: { condition: 'service_healthy' } });
      expect(services['postgres']!['healthcheck']).toBeDefined();
    });

    it('takes secrets from env files that are not committed, with committed examples', () => {
      const text = read('deploy/compose.yaml');
      expect(text).not.toMatch(/PASSWORD\s*[:=]/);
      expect(text).not.toMatch(/PRIVATE_KEY\s*[:=]/);
      const envFiles = Object.values(services).flatMap((s) => (s['env_file'] as string[] | undefined) ?? []);
      expect(envFiles.length).toBeGreaterThan(0);
      for (const file of new Set(envFiles)) {
        expect(existsSync(join(deploy, `${file}.example`))).toBe(true);
      }
      expect(read('deploy/compose/env/.gitignore')).toContain('*.env');
    });

    it('runs Hearth read-only, with no capabilities, and upgrades WebSockets at the proxy', () => {
      for (const name of ['api', 'worker', 'migrate']) {
        expect(services[name]).toMatchObject({ read_only: true, cap_drop: ['ALL'] });
      }
      const nginx = read('deploy/compose/nginx.conf');
      expect(nginx).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
      expect(nginx).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
      expect(nginx).toMatch(/location \/socket\.io\//);
    });
  });

  describe('the image', () => {
    const dockerfile = read('deploy/Dockerfile');

    it('lints clean', () => {
      expect(lintDockerfile(dockerfile)).toEqual([]);
    });

    it('builds in stages, runs as a numeric non-root user under tini, probes readiness, carries OCI labels', () => {
      expect(dockerfile.match(/^FROM /gm)!.length).toBeGreaterThanOrEqual(3);
      const users = [...dockerfile.matchAll(/^USER (.+)$/gm)].map((m) => m[1]);
      expect(users.at(-1)).toMatch(/^[1-9]\d*:[1-9]\d*$/);
      expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"/m);
      expect(dockerfile).toMatch(/^HEALTHCHECK /m);
      expect(read('deploy/image/healthcheck.mjs')).toContain('/health/ready');
      for (const label of ['title', 'version', 'revision', 'created', 'source']) {
        expect(dockerfile).toContain(`org.opencontainers.image.${label}=`);
      }
      expect(dockerfile).toMatch(/npm ci --omit=dev/);
      expect(dockerfile).not.toMatch(/npm install/);
    });

    it('uses the Node.js line that CI runs the suite on and the README recommends', () => {
      const version = /^ARG NODE_VERSION=(\d+)\.(\d+)\.(\d+)$/m.exec(dockerfile);
      const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
      const tested = /npx -y node@(\d+) /.exec(scripts['test:node24'] ?? '');
      expect(version?.[1]).toBeDefined();
      expect(version?.[1]).toBe(tested?.[1]);
      expect(read('.ci/run')).toMatch(/^npm run test:node24$/m);
      expect(read('README.md')).toContain(`Node.js ${version?.[1]} LTS is recommended`);
    });

    it('keeps development data, keys, dependencies and git out of the build context', () => {
      const patterns = read('.dockerignore')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'));
      const sent = (path: string) => {
        let included = true;
        for (const pattern of patterns) {
          const negated = pattern.startsWith('!');
          const glob = negated ? pattern.slice(1) : pattern;
          const regex = new RegExp(
            `^${glob
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*\*\//g, '<dss>')
              .replace(/\*\*/g, '<ds>')
              .replace(/\*/g, '[^/]*')
              .replace(/<dss>/g, '(.*/)?')
              .replace(/<ds>/g, '.*')}(/.*)?$`,
          );
          if (regex.test(path)) included = negated;
        }
        return included;
      };
      for (const path of [
        'node_modules/pg/package.json',
        '.data/keys/jwt-ed25519.key',
        '.data/postgres.password',
        '.git/config',
        'deploy/compose/env/hearth.env',
        'libs/identity/node_modules/x/index.js',
        'apps/api/.env',
        'keys/signing.pem',
        'apps/api/src/main.spec.ts',
        'dist/apps/api/src/main.js',
        '.test-build/apps/api/src/main.js',
      ]) {
        expect({ path, sent: sent(path) }).toEqual({ path, sent: false });
      }
      for (const path of [
        'package.json',
        'package-lock.json',
        '.swcrc',
        'apps/api/src/main.ts',
        'libs/database/src/migrations/index.ts',
        'deploy/image/entrypoint.sh',
        'deploy/sql/grants.sql',
      ]) {
        expect({ path, sent: sent(path) }).toEqual({ path, sent: true });
      }
      // Everything the Dockerfile copies from the context is sent.
      for (const [, source] of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) {
        for (const path of source!.split(' ')) {
          // A folder is sent when the files in it are.
          const file = statSync(join(root, path)).isDirectory()
            ? relative(root, filesUnder(join(root, path))[0]!)
            : path;
          expect({ file, sent: sent(file) }).toEqual({ file, sent: true });
        }
      }
    });
  });

  describe('monitoring', () => {
    it('names only metrics that Hearth, the exporter queries or kube-state-metrics provide', () => {
      const queries = readYamlDocuments(join(deploy, 'prometheus/postgres-exporter-queries.yaml'))[0] as Record<
        string,
        { metrics: Record<string, unknown>[] }
      >;
      const exported = new Set(
        Object.entries(queries).flatMap(([name, q]) => q.metrics.map((m) => `pg_${name}_${Object.keys(m)[0]}`)),
      );
      const rules = readYamlDocuments(join(deploy, 'prometheus/hearth-alerts.yaml'))[0] as {
        groups: { rules: { alert: string; expr: string; labels: { severity: string } }[] }[];
      };
      const all = rules.groups.flatMap((g) => g.rules);
      expect(all.map((r) => r.alert)).toEqual(
        expect.arrayContaining([
          'HearthAuditSealerLag',
          'HearthEscalationBacklog',
          'HearthHighErrorRate',
          'HearthApiNotReady',
        ]),
      );
      for (const rule of all) {
        expect(['page', 'ticket']).toContain(rule.labels.severity);
        for (const [metric] of rule.expr.matchAll(/\b(pg_hearth_[a-z_]+)/g)) expect(exported).toContain(metric);
        for (const [, metric] of rule.expr.matchAll(/(?<!pg_)\b(hearth_[a-z_]+)\{/g)) {
          expect(['hearth_http_request_duration_seconds', 'hearth_graphql_errors_total']).toContain(
            metric!.replace(/_(bucket|count|sum)$/, ''),
          );
        }
      }
    });

    it('has exporter queries that run on a migrated database', async () => {
      const queries = readYamlDocuments(join(deploy, 'prometheus/postgres-exporter-queries.yaml'))[0] as Record<
        string,
        { query: string; metrics: Record<string, unknown>[] }
      >;
      const database = await createTestDatabase();
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        for (const [name, q] of Object.entries(queries)) {
          const { rows } = await client.query<Record<string, unknown>>(q.query);
          expect({ name, columns: Object.keys(rows[0] ?? {}).sort() }).toEqual({
            name,
            columns: q.metrics.map((m) => Object.keys(m)[0]).sort(),
          });
        }
      } finally {
        await client.end();
        await database.drop();
      }
    });
  });

  it('lists every file of deploy/ in deploy/README.md', () => {
    const readme = read('deploy/README.md');
    const files = filesUnder(deploy)
      .map((f) => relative(deploy, f))
      .filter((f) => !f.startsWith('k8s/') && f !== 'README.md' && !f.endsWith('.gitignore'));
    for (const file of files) expect({ file, listed: readme.includes(file) }).toEqual({ file, listed: true });
    expect(read('README.md')).toContain('deploy/README.md');
  });
});
