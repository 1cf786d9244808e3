// Native ESM jest (see STACK.md): run through `npm test`, which sets --experimental-vm-modules.
import { readFileSync } from 'node:fs';

const swcrc = JSON.parse(readFileSync(new URL('./.swcrc', import.meta.url), 'utf8'));
delete swcrc.$schema;
// jest resolves the @hearth/* aliases itself (moduleNameMapper below).
delete swcrc.jsc.baseUrl;
delete swcrc.jsc.paths;

/** @type {import('jest').Config} */
export default {
  rootDir: '.',
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleNameMapper: {
    '^@hearth/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  // Decorator metadata needs the Reflect API before any decorated class is evaluated.
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/libs/testing/global-setup.mjs',
  globalTeardown: '<rootDir>/libs/testing/global-teardown.mjs',
  // Sized for a loaded 2-core machine; files that start processes set their own, longer one.
  testTimeout: 60_000,
  maxWorkers: 2,
  // A worker keeps what each file's module registry leaves behind (native ESM jest): after a few
  // dozen application files its heap passed 1 GB, and every collection of it cost hundreds of ms.
  // A worker above this is replaced between files: the suite ran in 209 s instead of 281.
  workerIdleMemoryLimit: '768MB',
};
