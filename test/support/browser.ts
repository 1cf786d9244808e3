import { expect } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { watch } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Screenshots of every screen, at desktop and phone widths (git-ignored). */
export const SHOTS = join(ROOT, 'test-results', 'web');
export const CHROMIUM = '/usr/bin/chromium';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * The client built in test mode (the only difference from the production build: the Apollo cache
 * is reachable from the page, so a test can prove what it does not hold). It is built once per
 * run, by whichever browser file asks first, into the run's compiled folder (which the global
 * setup empties); the other files wait for it.
 */
export async function buildClient(): Promise<{ dir: string }> {
  const dir = join(ROOT, '.test-build', 'web');
  const done = join(dir, '.built');
  try {
    mkdirSync(dir);
  } catch {
    await builtElsewhere(dir, done);
    return { dir };
  }
  await promisify(execFile)(
    process.execPath,
    [
      join(ROOT, 'node_modules/vite/bin/vite.js'),
      'build',
      '--config',
      'apps/web/vite.config.ts',
      '--mode',
      'test',
      '--logLevel',
      'warn',
    ],
    // Jest sets NODE_ENV=test, which would give React's development build: the users' is production.
    { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production', HEARTH_WEB_OUT: dir } },
  );
  writeFileSync(done, '');
  return { dir };
}

/** Another file is building the client (or has): resolves when its marker file appears. */
async function builtElsewhere(dir: string, done: string): Promise<void> {
  const signal = AbortSignal.timeout(240_000);
  try {
    const changes = watch(dir, { signal });
    // Watching first, then looking: a marker written in between is not missed.
    if (existsSync(done)) return;
    for await (const _change of changes) if (existsSync(done)) return;
  } catch (error) {
    if (signal.aborted) throw new Error(`the web client was not built in ${dir} within 240 s`);
    throw error;
  }
}

/** A port that was free a moment ago: the server must keep it across a restart. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Debian's Chromium with a fresh profile; never a browser a tool downloads. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface Tab {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every GraphQL response body the page received, for proving what never reached it. */
  readonly responses: string[];
  /** Console messages about the Content Security Policy: there must be none. */
  readonly cspViolations: string[];
  readonly errors: string[];
}

export async function openTab(browser: Browser, baseURL: string, viewport = DESKTOP): Promise<Tab> {
  const context = await browser.newContext({
    baseURL,
    viewport,
    acceptDownloads: true,
    locale: 'en-GB',
    timezoneId: 'Europe/London',
  });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const responses: string[] = [];
  const cspViolations: string[] = [];
  const errors: string[] = [];
  page.on('response', (response) => {
    if (response.url().endsWith('/graphql')) {
      response.text().then(
        (body) => responses.push(body),
        () => undefined,
      );
    }
  });
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, responses, cspViolations, errors };
}

/** Signs in through the form and waits for the first screen and the live connection. */
export async function signIn(tab: Tab, who: string, password = 'hearth-demo'): Promise<void> {
  const { page } = tab;
  await page.goto('/');
  await page.getByLabel('Email').fill(who.includes('@') ? who : `${who}@demo.hearth`);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
}

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * axe-core run in the page (evaluated over the DevTools protocol, so the page's CSP stays as
 * it is): the serious and critical violations, as readable lines.
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const options = {
    resultTypes: ['violations'],
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
  };
  const violations = await page.evaluate<AxeViolation[]>(
    `axe.run(document, ${JSON.stringify(options)}).then((result) => result.violations)`,
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact}: ${v.id} (${v.help}) at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
}

/** A tab on `baseURL`, kept in `tabs` for closing, signed in as `who` when given. */
export async function openTabAs(browser: Browser, baseURL: string, tabs: Tab[], who?: string): Promise<Tab> {
  const opened = await openTab(browser, baseURL);
  tabs.push(opened);
  if (who) await signIn(opened, who);
  return opened;
}

/** axe-core finds nothing serious, and the page broke no CSP rule nor threw; then the screenshots. */
export async function checkScreen(tab: Tab, name: string): Promise<void> {
  expect(await seriousA11yViolations(tab.page)).toEqual([]);
  expect(tab.cspViolations).toEqual([]);
  expect(tab.errors).toEqual([]);
  await screenshots(tab.page, name);
}

/** The screen at desktop and phone widths, saved under test-results/web/. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const before = page.viewportSize() ?? DESKTOP;
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(SHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(before);
}

/** The Apollo cache of the page, as JSON text. */
export function apolloCache(page: Page): Promise<string> {
  return page.evaluate<string>(`(() => {
    if (!window.__HEARTH_APOLLO__) throw new Error('the Apollo client is not exposed (build with --mode test)');
    return JSON.stringify(window.__HEARTH_APOLLO__.cache.extract());
  })()`);
}
