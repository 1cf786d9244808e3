import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { demoWorld, type DemoUser } from './support/demo.js';
import {
  apolloCache,
  buildClient,
  checkScreen,
  freePort,
  launchBrowser,
  openTab,
  openTabAs,
  signIn,
  type Tab,
} from './support/browser.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The practitioners' web client in a real browser (Debian's Chromium), against the real API on
 * this file's database with the demo partnership. Every screen is checked with axe-core and
 * photographed at desktop and phone widths.
 */
describe('the web client', () => {
  let client: { dir: string };
  let app: TestApp;
  const apps: TestApp[] = [];
  let port: number;
  let browser: Browser;
  let as: Record<DemoUser, Session>;
  let families: Record<string, string>;
  const tabs: Tab[] = [];
  const env = () => ({
    PORT: String(port),
    HEARTH_ALLOWED_ORIGINS: `http://127.0.0.1:${port}`,
    HEARTH_WEB_ROOT: client.dir,
  });
  const tab = (who?: string) => openTabAs(browser, app.url, tabs, who);
  const openFamily = async (page: Page, reference: string) => {
    await page.getByRole('link', { name: 'My caseload' }).click();
    await page.getByRole('link', { name: reference }).click();
    await page.getByRole('heading', { level: 1, name: `Family ${reference}` }).waitFor();
    await page.locator('[data-testid="event"]').first().waitFor();
  };
  const post = (who: DemoUser, input: Record<string, unknown>) =>
    app.gqlData<{ postEvent: { id: string } }>({
      query: `mutation ($input: PostEventInput!) { postEvent(input: $input) { id } }`,
      variables: { input: { occurredAt: new Date().toISOString(), severity: 'MEDIUM', ...input } },
      token: as[who].accessToken,
    });
  const personId = async (familyId: string, givenName: string) => {
    const { family } = await app.gqlData<{ family: { people: { id: string; givenName: string }[] } }>({
      query: `query ($id: ID!) { family(id: $id) { people { id givenName } } }`,
      variables: { id: familyId },
      token: as['sam.social'].accessToken,
    });
    return family.people.find((p) => p.givenName === givenName)!.id;
  };

  beforeAll(async () => {
    client = await buildClient();
    port = await freePort();
    app = await startTestApp(env());
    apps.push(app);
    ({ sessions: as, families } = await demoWorld(app));
    browser = await launchBrowser();
  }, 180_000);

  afterAll(async () => {
    for (const t of tabs) await t.context.close().catch(() => undefined);
    await browser?.close();
    // A restarted node shares the first one's database; the first drops it last.
    for (const running of apps.slice(1).reverse()) await running.close().catch(() => undefined);
    if (apps.length > 1) await apps[0]!.database.drop();
    else await app?.close();
  }, 60_000);

  it('is served at / with a CSP that allows only itself, immutable hashed assets and a revalidated index.html', async () => {
    const index = await fetch(`${app.url}/families/anything`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const csp = index.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const html = await index.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const script = await fetch(`${app.url}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toContain('immutable');
    // The API keeps its own paths.
    expect((await fetch(`${app.url}/health/live`)).status).toBe(200);
  });

  it('sam signs in, sees the caseload, opens NS-2026-0142 and posts a concern; hal sees it live', async () => {
    const sam = await openTab(browser, app.url);
    tabs.push(sam);
    await sam.page.goto('/');
    await sam.page.getByLabel('Email').waitFor();
    await checkScreen(sam, 'sign-in');
    await signIn(sam, 'sam.social');

    await sam.page.getByRole('link', { name: 'NS-2026-0157' }).waitFor();
    const cards = sam.page.getByRole('list', { name: 'Families' }).getByRole('listitem');
    expect(await cards.count()).toBeGreaterThanOrEqual(3);
    const cp = sam.page.locator('.family-card', { hasText: 'NS-2026-0157' });
    expect(await cp.textContent()).toContain('Child protection plan');
    await checkScreen(sam, 'caseload');

    const hal = await tab('hal.health');
    await openFamily(hal.page, 'NS-2026-0142');
    await openFamily(sam.page, 'NS-2026-0142');
    // The network with contact cards, the people, the timeline.
    expect(await sam.page.getByRole('list', { name: 'Network members' }).textContent()).toContain('Hal');
    await checkScreen(sam, 'family');

    const summary = `Ruby said she was hungry at the door, ${Date.now()}`;
    await sam.page.getByLabel('What happened').selectOption('CONCERN');
    await sam.page.getByLabel('Summary').fill(summary);
    await sam.page.getByRole('button', { name: 'Post', exact: true }).click();
    await sam.page.locator('[data-testid="event"]', { hasText: summary }).waitFor();
    // Hal's open page shows it without a reload, and a toast says so.
    await hal.page.locator('[data-testid="event"]', { hasText: summary }).waitFor({ timeout: 10_000 });
    await hal.page.getByRole('status').getByText('New timeline entry').waitFor();
    await checkScreen(hal, 'family-live');

    // Signing out leaves nothing behind: no storage, no cache, and Back shows no case content.
    // Signing out reloads the page, so memory, the Apollo cache and the socket go with it.
    const reloaded = sam.page.waitForEvent('load');
    await sam.page.getByRole('button', { name: 'Sign out' }).click();
    await reloaded;
    await sam.page.getByLabel('Email').waitFor();
    expect(await sam.page.evaluate('[localStorage.length, sessionStorage.length]')).toEqual([0, 0]);
    expect(await sam.page.evaluate("'__HEARTH_APOLLO__' in window")).toBe(false);
    await sam.page.goBack();
    await sam.page.getByLabel('Email').waitFor();
    expect(await sam.page.content()).not.toContain(summary);
  }, 180_000);

  it('shows a field error from BAD_USER_INPUT on the field', async () => {
    const hal = await tab('hal.health');
    await openFamily(hal.page, 'NS-2026-0142');
    await hal.page.getByLabel('Summary').fill('   ');
    await hal.page.getByRole('button', { name: 'Post', exact: true }).click();
    const summary = hal.page.locator('#post-summary[aria-invalid="true"]');
    await summary.waitFor();
    const described = await summary.getAttribute('aria-describedby');
    expect(await hal.page.locator(`#${described}`).textContent()).not.toBe('');

    // Replies and read receipts on an entry hal may read.
    const entry = hal.page.locator('[data-testid="event"]:not(.redacted)').first();
    const id = await entry.getAttribute('data-event-id');
    const reply = `Seen at the surgery too, ${Date.now()}`;
    await entry.getByLabel('Reply').fill(reply);
    await entry.getByRole('button', { name: 'Send' }).click();
    const same = hal.page.locator(`[data-event-id="${id}"]`);
    await same.getByRole('list', { name: 'Replies' }).getByText(reply).waitFor();
    await same.getByRole('button', { name: 'Acknowledge' }).click();
    await same.getByText(/Read by .*Hal/).waitFor();
  }, 60_000);

  it('pat posts a domestic abuse incident; dee sees the RED alert within 2 s with its explanation, acknowledges it, and sam sees the update', async () => {
    const dee = await tab('dee.school');
    await dee.page.getByRole('link', { name: 'Alerts' }).click();
    await dee.page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    const sam = await tab('sam.social');
    await sam.page.getByRole('link', { name: 'Alerts' }).click();
    await sam.page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    const pat = await tab('pat.police');
    await openFamily(pat.page, 'NS-2026-0163');

    const summary = `Police called to a disturbance at the home, ${Date.now()}`;
    await pat.page.getByLabel('What happened').selectOption('DOMESTIC_ABUSE_INCIDENT');
    await pat.page.getByLabel('Severity').selectOption('HIGH');
    await pat.page.getByRole('group', { name: 'About whom' }).getByLabel('Tyler Brooks').check();
    await pat.page.getByLabel('Summary').fill(summary);
    const posted = pat.page.waitForResponse(
      (r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('PostEvent'),
    );
    // Both moments come from the browser's clock: when pat's page had the post's answer, and when
    // a DOM observer first saw the new alert's card on dee's page. Reading them in the test would
    // add the DevTools round trips and the locator's polling (up to half a second) to the figure.
    await dee.page.evaluate(`{
      const seen = (window.alertCardsSeen = new Map());
      const look = () => {
        for (const card of document.querySelectorAll('[data-testid="alert"]'))
          if (!seen.has(card.dataset.alertId)) seen.set(card.dataset.alertId, Date.now());
      };
      look();
      new MutationObserver(look).observe(document.body, { childList: true, subtree: true });
    }`);
    // The Operation Encompass alerts on Brooks addressed to dee, as the API tells her.
    const alertIds = async () => {
      type Node = { id: string; explanation: string; family: { reference: string } };
      const { alerts } = await app.gqlData<{ alerts: { edges: { node: Node }[] } }>({
        query: `{ alerts(first: 100) { edges { node { id explanation family { reference } } } } }`,
        token: as['dee.school'].accessToken,
      });
      return alerts.edges
        .filter((e) => e.node.family.reference === 'NS-2026-0163' && e.node.explanation.includes('Operation Encompass'))
        .map((e) => e.node.id);
    };
    const before = await alertIds();
    await pat.page.getByRole('button', { name: 'Post', exact: true }).click();
    const answered = (await posted).request().timing();
    const [raised] = (await alertIds()).filter((id) => !before.includes(id));
    expect(raised).toBeDefined();
    const red = dee.page.locator(`[data-testid="alert"][data-alert-id="${raised}"]`);
    await red.waitFor({ timeout: 10_000 });
    expect(await red.textContent()).toContain('NS-2026-0163');
    // PRODUCT.md promises a second; the bound leaves room for a loaded 2-core machine.
    const shownAt = await dee.page.evaluate<number>(`window.alertCardsSeen.get(${JSON.stringify(raised)})`);
    expect(shownAt - (answered.startTime + answered.responseEnd)).toBeLessThan(2000);
    await dee.page.getByRole('status').getByText('New alert (RED)').waitFor();
    const card = red;
    expect(await card.locator('.rag').textContent()).toBe('Red');
    await card.getByText('Why am I seeing this?').click();
    expect(await card.locator('.explanation').textContent()).not.toBe('');
    expect(await card.locator('.matched').textContent()).toContain('Domestic abuse incident');
    await checkScreen(dee, 'alerts');

    // The same post makes three multi-agency concerns: an AMBER alert to the lead and the network.
    const amber = (page: Page) =>
      page
        .locator('[data-testid="alert"]', { hasText: 'Multi-agency concerns' })
        .filter({ hasText: 'NS-2026-0163' })
        .first();
    await amber(dee.page).waitFor({ timeout: 10_000 });
    await amber(sam.page).waitFor({ timeout: 10_000 });
    expect(await amber(sam.page).getAttribute('data-status')).toBe('OPEN');

    await card.getByRole('button', { name: 'Acknowledge' }).click();
    await dee.page.locator(`[data-alert-id="${raised}"][data-status="ACKNOWLEDGED"]`).waitFor();
    await amber(dee.page).getByRole('button', { name: 'Acknowledge' }).click();
    // Sam's open page updates over the socket: acknowledged, and by whom.
    await sam.page
      .locator('[data-testid="alert"][data-status="ACKNOWLEDGED"]', { hasText: 'Multi-agency concerns' })
      .filter({ hasText: 'Dee' })
      .first()
      .waitFor({ timeout: 10_000 });
  }, 180_000);

  it("dee sees pat's AGENCY-only note as restricted, with whom to contact, and its content nowhere: not in the DOM, the Apollo cache or any response", async () => {
    const secret = `Intelligence: the uncle is known to police ${Date.now()}`;
    const brooks = families['NS-2026-0163']!;
    const { postEvent } = await post('pat.police', {
      familyId: brooks,
      kind: 'NOTE',
      visibility: 'AGENCY',
      summary: secret,
      body: `${secret} (details)`,
    });

    // Positive control: the same checks find the content where it is allowed (pat's own page).
    const pat = await tab('pat.police');
    await openFamily(pat.page, 'NS-2026-0163');
    await pat.page.locator(`[data-event-id="${postEvent.id}"]`, { hasText: secret }).waitFor();
    expect(await pat.page.content()).toContain(secret);
    expect(await apolloCache(pat.page)).toContain(secret);
    expect(pat.responses.join('\n')).toContain(secret);

    const dee = await tab('dee.school');
    await openFamily(dee.page, 'NS-2026-0163');
    const entry = dee.page.locator(`[data-event-id="${postEvent.id}"]`);
    await entry.waitFor();
    const restricted = entry.locator('[data-testid="restricted"]');
    expect(await restricted.textContent()).toContain('Restricted entry');
    expect(await entry.textContent()).toContain('Pat');
    expect(await restricted.textContent()).toMatch(/contact .*Pat/);
    expect(await dee.page.content()).not.toContain(secret);
    expect(await apolloCache(dee.page)).not.toContain('uncle');
    expect(dee.responses.join('\n')).not.toContain('uncle');
    await checkScreen(dee, 'family-restricted');

    // The timeline's filters: only notes, then only what the police posted.
    const events = dee.page.locator('[data-testid="event"]');
    const target = dee.page.locator(`[data-event-id="${postEvent.id}"]`);
    const notNotes = events.filter({ hasNot: dee.page.locator('.kind', { hasText: /^Note$/ }) });
    await dee.page.getByLabel('Kind', { exact: true }).selectOption('NOTE');
    await dee.page.getByRole('button', { name: 'Filter' }).click();
    await notNotes.first().waitFor({ state: 'detached' });
    await target.waitFor();
    expect(await notNotes.count()).toBe(0);
    await dee.page.getByRole('button', { name: 'Clear' }).click();
    await notNotes.first().waitFor();
    const notPolice = events.filter({ hasNot: dee.page.locator('.byline', { hasText: 'Northshire Police' }) });
    await dee.page.getByLabel('Agency', { exact: true }).selectOption({ label: 'Northshire Police' });
    await dee.page.getByRole('button', { name: 'Filter' }).click();
    await notPolice.first().waitFor({ state: 'detached' });
    await target.waitFor();
    expect(await notPolice.count()).toBe(0);
  }, 120_000);

  it("the auditor sees sam's read of the family in 'who viewed this child' and downloads the CSV", async () => {
    const aud = await tab('aud.auditor');
    await aud.page.getByRole('heading', { level: 1, name: 'Who viewed this child' }).waitFor();
    await aud.page.getByTestId('integrity').waitFor();
    expect(await aud.page.getByTestId('integrity').textContent()).toContain('verified');
    await aud.page.getByLabel('Family id').fill(families['NS-2026-0142']!);
    await aud.page.getByLabel('Action').selectOption('READ');
    await aud.page.getByRole('button', { name: 'Search' }).click();
    await aud.page
      .locator(`[data-testid="audit-row"][data-actor="${as['sam.social'].userId}"][data-action="READ"]`)
      .first()
      .waitFor();
    await checkScreen(aud, 'audit');

    const download = aud.page.waitForEvent('download');
    await aud.page.getByRole('button', { name: 'Download CSV' }).click();
    const file = await (await download).path();
    const csv = readFileSync(file, 'utf8');
    expect(csv.split('\n')[0]).toMatch(/actor/i);
    expect(csv).toContain(as['sam.social'].userId);
    // The auditor sees no case content: the rows hold ids, not what sam read.
    expect(csv).not.toContain('hungry');
  }, 120_000);

  it('the agency admin adds a user who can then sign in; disabling them signs them out live', async () => {
    const ada = await tab('ada.admin');
    await ada.page.getByRole('heading', { level: 1 }).waitFor();
    await checkScreen(ada, 'agency-admin');
    const email = `new.officer.${Date.now()}@demo.hearth`;
    await ada.page.getByLabel('Name').fill('Nia Officer');
    await ada.page.getByLabel('Email').fill(email);
    await ada.page.getByLabel('First password (at least 12 characters)').fill('short');
    await ada.page.getByRole('button', { name: 'Add' }).click();
    // The server's BAD_USER_INPUT lands on the password field.
    await ada.page.locator('#u-password[aria-invalid="true"]').waitFor();
    await ada.page.getByLabel('First password (at least 12 characters)').fill('a-long-first-password');
    // Choosing their own password at the first sign-in is covered in web-account.e2e.ts.
    await ada.page.getByLabel('They choose their own password when they first sign in').uncheck();
    await ada.page.getByRole('button', { name: 'Add' }).click();
    await ada.page.locator(`[data-testid="user-row"][data-email="${email}"]`).waitFor();

    const nia = await tab();
    await signIn(nia, email, 'a-long-first-password');
    await nia.page.getByText('You are not in any family network yet.').waitFor();

    ada.page.once('dialog', (dialog) => void dialog.accept());
    await ada.page.getByRole('button', { name: 'Disable Nia Officer' }).click();
    await nia.page.getByText('Your session has ended').waitFor({ timeout: 15_000 });
    await nia.page.getByLabel('Email').waitFor();
  }, 120_000);

  it('the partnership admin sees the rules with their versions and can disable and enable one', async () => {
    const pam = await tab('pam.partner');
    await pam.page.getByRole('heading', { level: 1, name: 'Early-warning rules' }).waitFor();
    const rules = pam.page.getByTestId('rule');
    await rules.first().waitFor();
    expect(await rules.count()).toBeGreaterThanOrEqual(7);
    const first = rules.first();
    expect(await first.textContent()).toMatch(/version \d+/);
    // The switch shows what the server holds: it changes once the mutation returns.
    await first.getByRole('checkbox').click();
    await first.getByText('Disabled').waitFor();
    await first.getByRole('checkbox').click();
    await first.getByText('Enabled').waitFor();
    await checkScreen(pam, 'rules');
    await pam.page.getByRole('link', { name: 'Settings' }).click();
    await pam.page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await checkScreen(pam, 'settings');
  }, 120_000);

  it('a dropped socket (the server restarted) reconnects, and the alert raised meanwhile appears once', async () => {
    const dee = await tab('dee.school');
    await dee.page.getByRole('link', { name: 'Alerts' }).click();
    await dee.page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    const missed = dee.page
      .locator('[data-testid="alert"]', { hasText: 'Operation Encompass' })
      .filter({ hasText: 'NS-2026-0142' });
    await dee.page.getByTestId('alert').first().waitFor();
    const before = await missed.count();
    const status = dee.page.getByTestId('live-status');

    // Dee's browser loses the network, and the server restarts while she is away.
    await dee.context.setOffline(true);
    const previous = app;
    await previous.hearth.close();
    await status.and(dee.page.locator('[data-status="reconnecting"]')).waitFor({ timeout: 15_000 });
    app = await startTestApp(env(), { shareDatabaseOf: previous });
    apps.push(app);

    const smith = families['NS-2026-0142']!;
    const child = await personId(smith, (await firstChild(smith))!);
    await post('pat.police', {
      familyId: smith,
      kind: 'DOMESTIC_ABUSE_INCIDENT',
      severity: 'HIGH',
      summary: 'Call-out while the school was offline',
      subjectIds: [child],
    });

    await dee.context.setOffline(false);
    await status.and(dee.page.locator('[data-status="live"]')).waitFor({ timeout: 30_000 });
    await missed.nth(before).waitFor({ timeout: 15_000 });
    expect(await missed.count()).toBe(before + 1);
    const ids: (string | null)[] = [];
    for (const card of await dee.page.getByTestId('alert').all()) ids.push(await card.getAttribute('data-alert-id'));
    expect(new Set(ids).size).toBe(ids.length);
    expect(await dee.page.getByRole('status').getByText('New alert (RED)').count()).toBe(1);
  }, 180_000);

  async function firstChild(familyId: string): Promise<string | undefined> {
    const { family } = await app.gqlData<{ family: { people: { givenName: string; role: string }[] } }>({
      query: `query ($id: ID!) { family(id: $id) { people { givenName role } } }`,
      variables: { id: familyId },
      token: as['sam.social'].accessToken,
    });
    return family.people.find((p) => p.role === 'CHILD')?.givenName;
  }
});
