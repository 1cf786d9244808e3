// The import rules of ARCHITECTURE.md: apps depend on libs, a lib reaches another lib only
// through its public face (@hearth/<lib>, its src/index.ts), dependencies point one way, no cycles.
const allowed = {
  config: [],
  errors: [],
  observability: ['config'],
  database: ['config'],
  testing: ['config', 'database'],
  pagination: ['errors'],
  authz: ['errors'],
  identity: ['config', 'database', 'errors', 'observability', 'pagination', 'authz', 'audit'],
  audit: ['config', 'database', 'errors', 'observability', 'pagination', 'authz'],
  network: ['identity', 'audit', 'authz', 'database', 'errors', 'observability', 'pagination'],
  timeline: ['network', 'identity', 'audit', 'authz', 'database', 'errors', 'observability', 'pagination'],
  realtime: ['identity', 'authz', 'database', 'errors', 'observability'],
  'mutation-gate': ['authz', 'config', 'database', 'errors'],
  alerts: [
    'config',
    'timeline',
    'network',
    'realtime',
    'identity',
    'audit',
    'authz',
    'database',
    'errors',
    'observability',
    'pagination',
  ],
  notify: [
    'alerts',
    'timeline',
    'network',
    'realtime',
    'identity',
    'audit',
    'authz',
    'database',
    'config',
    'errors',
    'observability',
  ],
};

const libs = Object.keys(allowed);

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'lib-imports-no-app',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'app-imports-no-other-app',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'worker-serves-no-http',
      comment: 'apps/worker is a Nest application context running loops: no HTTP server, no GraphQL.',
      severity: 'error',
      from: { path: '^apps/worker/' },
      to: { path: 'node_modules/(@nestjs/(platform-express|graphql|apollo)|@apollo/|express|helmet)' },
    },
    {
      name: 'only-through-public-face',
      comment: "A lib's files are private: import @hearth/<lib> (its src/index.ts).",
      severity: 'error',
      from: { path: '^(apps|test)/' },
      to: { path: '^libs/[^/]+/', pathNot: '^libs/[^/]+/src/index\\.ts$' },
    },
    {
      name: 'lib-only-through-public-face',
      comment: "Another lib's files are private: import @hearth/<lib> (its src/index.ts).",
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/[^/]+/', pathNot: ['^libs/$1/', '^libs/[^/]+/src/index\\.ts$'] },
    },
    ...libs.map((lib) => ({
      name: `lib-direction-${lib}`,
      comment: `${lib} may depend on: ${allowed[lib].join(', ') || 'no other lib'}`,
      severity: 'error',
      from: { path: `^libs/${lib}/`, pathNot: '\\.spec\\.ts$' },
      to: {
        path: '^libs/([^/]+)/',
        pathNot: [`^libs/${lib}/`, ...allowed[lib].map((dep) => `^libs/${dep}/`)],
      },
    })),
    ...libs.map((lib) => ({
      name: `lib-spec-direction-${lib}`,
      comment: `${lib}'s specs may depend on ${[...allowed[lib], 'testing'].join(', ')}`,
      severity: 'error',
      from: { path: `^libs/${lib}/.*\\.spec\\.ts$` },
      to: {
        path: '^libs/([^/]+)/',
        pathNot: [`^libs/${lib}/`, '^libs/testing/', ...allowed[lib].map((dep) => `^libs/${dep}/`)],
      },
    })),
    {
      name: 'known-libs-only',
      comment: 'A new lib needs its place in the allowed directions above.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^libs/([^/]+)/', pathNot: libs.map((l) => `^libs/${l}/`) },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|\\.data|\\.test-build)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
  },
};
