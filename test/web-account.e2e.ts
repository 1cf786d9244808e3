import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generate } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { startIdentityProvider, type RunningIdentityProvider } from '../apps/api/src/demo/identity-provider.js';
import { demoWorld, type DemoUser } from './support/demo.js';
import {
  apolloCache,
  buildClient,
  checkScreen,
  freePort,
  launchBrowser,
  openTabAs,
  signIn,
  type Tab,
} from './support/browser.js';
import type { Session } from './support/session.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** A TOTP code for now, or for a later 30-second step (the server allows one step of drift). */
const totp = (secret: string, stepsAhead = 0) =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 * stepsAhead });

/** Six digits that are none of the codes the server would accept now. */
async function wrongCode(secret: string): Promise<string> {
  const valid = new Set(await Promise.all([-1, 0, 1, 2].map((step) => totp(secret, step))));
  for (let n = 0; ; n++) {
    const candidate = String(n * 7919)
      .padStart(6, '0')
      .slice(-6);
    if (!valid.has(candidate)) return candidate;
  }
}

/**
 * The account screens of the web client in a real browser (Debian's Chromium) against the real
 * API on this file's database with the demo partnership: the second step of signing in, the
 * authenticator, the password and the contact card in settings, inviting from the directory, and
 * the agency admin's enable and password reset. Every new screen is checked with axe-core and
 * photographed at desktop and phone widths.
 */
const IDP_SECRET_ENV = 'HEARTH_OIDC_SECRET_WEB_ACCOUNT';
const IDP_SECRET = 'a-client-secret-of-at-least-32-characters-long';
const IDP_PASSWORD = 'provider-password';

/**
 * Through an agency's provider as a browser would go, outside the browser (cookies by name, manual
 * redirects): from Hearth's start path, the provider's login form, to the web client's address
 * Hearth's callback sends the browser to (`/?signin=<handoff>`).
 */
async function providerSignIn(start: string, issuer: string, login: string): Promise<string> {
  const cookies = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    for (const line of res.headers.getSetCookie()) {
      const [name, ...value] = line.split(';')[0]!.trim().split('=');
      cookies.set(name!, value.join('='));
    }
    return res;
  };
  let res = await send(start);
  for (let hops = 0; hops < 12; hops++) {
    if (res.status === 200) {
      const action = /<form method="post" action="([^"]+)"/.exec(await res.text())?.[1];
      if (!action) throw new Error('no login form at the provider');
      res = await send(new URL(action, issuer).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ login, password: IDP_PASSWORD }).toString(),
      });
      continue;
    }
    const next = new URL(res.headers.get('location')!, res.url);
    if (next.pathname === '/' && next.searchParams.has('signin')) return `/?signin=${next.searchParams.get('signin')}`;
    if (next.searchParams.has('signinError')) throw new Error(`refused: ${next.searchParams.get('signinError')}`);
    res = await send(next.href);
  }
  throw new Error('too many redirects');
}

describe('the web client: accounts, second factor and the directory', () => {
  let client: { dir: string };
  let app: TestApp;
  let browser: Browser;
  let as: Record<DemoUser, Session>;
  let idp: RunningIdentityProvider;
  /** The account ada adds in one test and manages in the next. */
  let noor = '';
  const tabs: Tab[] = [];
  const tab = (who?: string) => openTabAs(browser, app.url, tabs, who);
  /** The password form, submitted; what comes next is the test's to await. */
  const submitPassword = async (page: Page, email: string, password: string) => {
    await page.goto('/');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const signedIn = (page: Page) => page.locator('[data-testid="live-status"][data-status="live"]').waitFor();
  const signOut = async (page: Page) => {
    const reloaded = page.waitForEvent('load');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await reloaded;
    await page.getByLabel('Email').waitFor();
  };
  const openSettings = async (page: Page) => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
  };
  /** The caseload's family links, once the caseload has loaded (positive control for an absence). */
  const caseload = async (page: Page) => {
    await page.getByRole('link', { name: 'My caseload' }).click();
    const families = page.getByRole('list', { name: 'Families' });
    await families.getByRole('listitem').first().waitFor();
    return (await families.textContent()) ?? '';
  };

  beforeAll(async () => {
    client = await buildClient();
    const port = await freePort();
    process.env[IDP_SECRET_ENV] = IDP_SECRET;
    idp = await startIdentityProvider({
      clients: [
        {
          client_id: 'hearth',
          client_secret: IDP_SECRET,
          redirect_uris: [`http://127.0.0.1:${port}/auth/oidc/callback`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      accounts: { mia: { password: IDP_PASSWORD, email: 'mia.manager@demo.hearth', emailVerified: true } },
    });
    app = await startTestApp({
      PORT: String(port),
      HEARTH_ALLOWED_ORIGINS: `http://127.0.0.1:${port}`,
      HEARTH_PUBLIC_URL: `http://127.0.0.1:${port}`,
      HEARTH_WEB_ROOT: client.dir,
    });
    ({ sessions: as } = await demoWorld(app));
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    for (const t of tabs) await t.context.close().catch(() => undefined);
    await browser?.close();
    await app?.close();
    await idp?.close();
    delete process.env[IDP_SECRET_ENV];
  }, 60_000);

  it('dee edits her contact card, sets up an authenticator, signs out, and signs in with a code from it; a wrong code is refused', async () => {
    const dee = await tab('dee.school');
    await openSettings(dee.page);
    await checkScreen(dee, 'settings-practitioner');

    // The contact card: the server's error on the field, then saved.
    const phone = dee.page.getByLabel('Phone');
    await phone.fill('call the office');
    await dee.page.getByRole('button', { name: 'Save contact card' }).click();
    await dee.page.locator('#card-phone[aria-invalid="true"]').waitFor();
    expect(await dee.page.locator('#card-phone-error').textContent()).toContain('phone number');
    await phone.fill('01632 960399');
    await dee.page.getByLabel('Job title').fill('Designated Safeguarding Lead and SENCo');
    await dee.page.getByRole('button', { name: 'Save contact card' }).click();
    await dee.page.getByText('Your contact card is saved.').waitFor();
    const { me } = await app.gqlData<{ me: { jobTitle: string; phone: string } }>({
      query: '{ me { jobTitle phone } }',
      token: as['dee.school'].accessToken,
    });
    expect(me).toEqual({ jobTitle: 'Designated Safeguarding Lead and SENCo', phone: '01632 960399' });

    // The key, as a QR code, as text and as an otpauth link.
    await dee.page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await dee.page.getByRole('img', { name: /QR code/ }).waitFor();
    const secret = ((await dee.page.getByTestId('mfa-secret').textContent()) ?? '').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    await dee.page.getByText('The key as a link').click();
    const uri = (await dee.page.getByTestId('mfa-uri').textContent()) ?? '';
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    expect(uri).toContain(`secret=${secret}`);
    await checkScreen(dee, 'settings-authenticator');

    // A wrong code is refused on the field; the right one (positive control) confirms.
    const code = dee.page.getByLabel('Then type the 6-digit code the app shows');
    await code.fill(await wrongCode(secret));
    await dee.page.getByRole('button', { name: 'Confirm' }).click();
    await dee.page.locator('#mfa-code[aria-invalid="true"]').waitFor();
    expect(await dee.page.locator('#mfa-code-error').textContent()).toContain('not the current code');
    await code.fill(await totp(secret));
    await dee.page.getByRole('button', { name: 'Confirm' }).click();
    const codes = dee.page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await codes.first().waitFor();
    expect(await codes.count()).toBe(10);
    const recovery = (await codes.allTextContents()).map((c) => c.trim());
    await checkScreen(dee, 'settings-recovery-codes');
    // Done only once she says she saved them; then they are gone from the page.
    const done = dee.page.getByRole('button', { name: 'Done' });
    expect(await done.isDisabled()).toBe(true);
    await dee.page.getByLabel('I have saved my recovery codes').check();
    await done.click();
    await dee.page.getByText('Your authenticator app is set up.').waitFor();
    // Neither the key nor the codes stay behind: not in the page, not in the Apollo cache, which
    // holds the rest of the screen (positive control: her saved job title).
    expect(await dee.page.content()).not.toContain(recovery[0]);
    const cache = await apolloCache(dee.page);
    expect(cache).toContain('Designated Safeguarding Lead and SENCo');
    expect(cache).not.toContain(secret);
    expect(cache).not.toContain(recovery[0]);

    // Signing in now takes a code. The enrolment spent this step's code: the next step's is fresh.
    await signOut(dee.page);
    await submitPassword(dee.page, 'dee.school@demo.hearth', 'hearth-demo');
    const field = dee.page.getByLabel('Code from your app');
    await field.waitFor();
    await checkScreen(dee, 'sign-in-code');
    await field.fill(await wrongCode(secret));
    await dee.page.getByRole('button', { name: 'Continue' }).click();
    await dee.page.getByRole('alert').getByText('That code is not right').waitFor();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await checkScreen(dee, 'sign-in-code-wrong');
    await field.fill(await totp(secret, 1));
    await dee.page.getByRole('button', { name: 'Continue' }).click();
    await signedIn(dee.page);

    // A recovery code works once.
    await signOut(dee.page);
    await submitPassword(dee.page, 'dee.school@demo.hearth', 'hearth-demo');
    await dee.page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await dee.page.getByLabel('Recovery code').fill(recovery[0]!);
    await dee.page.getByRole('button', { name: 'Continue' }).click();
    await signedIn(dee.page);
    await signOut(dee.page);
    await submitPassword(dee.page, 'dee.school@demo.hearth', 'hearth-demo');
    await dee.page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await dee.page.getByLabel('Recovery code').fill(recovery[0]!);
    await dee.page.getByRole('button', { name: 'Continue' }).click();
    await dee.page.getByRole('alert').getByText('That recovery code is not right').waitFor();
    await dee.page.getByLabel('Recovery code').fill(recovery[1]!);
    await dee.page.getByRole('button', { name: 'Continue' }).click();
    await signedIn(dee.page);
  }, 300_000);

  it('hal changes his password: his other session ends, this one goes on, the old password fails and the new one works', async () => {
    const hal = await tab('hal.health');
    const elsewhere = await tab('hal.health');
    await openSettings(hal.page);
    const current = hal.page.getByLabel('Current password');
    const next = hal.page.getByLabel('New password', { exact: true });
    const confirm = hal.page.getByLabel('Confirm the new password');
    const change = hal.page.getByRole('button', { name: 'Change password' });

    // A confirmation that does not match is caught before anything is sent.
    await current.fill('hearth-demo');
    await next.fill('a new phrase for the clinic');
    await confirm.fill('a new phrase for the clinik');
    await change.click();
    await hal.page.locator('#password-confirm[aria-invalid="true"]').waitFor();
    // The server's policy, on the field.
    await next.fill('too short');
    await confirm.fill('too short');
    await change.click();
    await hal.page.locator('#password-new[aria-invalid="true"]').waitFor();
    expect(await hal.page.locator('#password-new-error').textContent()).toContain('at least 12 characters');
    // A wrong current password, on its field.
    await current.fill('not-my-password');
    await next.fill('a new phrase for the clinic');
    await confirm.fill('a new phrase for the clinic');
    await change.click();
    await hal.page.locator('#password-current[aria-invalid="true"]').waitFor();
    await checkScreen(hal, 'settings-password-error');

    await current.fill('hearth-demo');
    await next.fill('a new phrase for the clinic');
    await confirm.fill('a new phrase for the clinic');
    await change.click();
    await hal.page.getByText('Your password is changed.').waitFor();
    await elsewhere.page.getByText('Your session has ended').waitFor({ timeout: 15_000 });
    // This session goes on.
    expect(await caseload(hal.page)).toContain('NS-2026-0142');

    const later = await tab();
    await submitPassword(later.page, 'hal.health@demo.hearth', 'hearth-demo');
    await later.page.getByRole('alert').waitFor();
    expect(await later.page.getByRole('alert').textContent()).toMatch(/invalid/i);
    await submitPassword(later.page, 'hal.health@demo.hearth', 'a new phrase for the clinic');
    await signedIn(later.page);
  }, 300_000);

  it('sam invites pat to NS-2026-0157 from the directory; pat then sees the family', async () => {
    // Not a member yet: pat's caseload lists his own families (positive control), not this one.
    const pat = await tab('pat.police');
    const before = await caseload(pat.page);
    expect(before).toContain('NS-2026-0142');
    expect(before).not.toContain('NS-2026-0157');

    const sam = await tab('sam.social');
    await sam.page.getByRole('link', { name: 'NS-2026-0157' }).click();
    await sam.page.getByRole('heading', { level: 1, name: 'Family NS-2026-0157' }).waitFor();
    const invite = sam.page.getByRole('region', { name: 'Invite a colleague' });
    await invite.waitFor();

    // The server's refusal shows: too short a search.
    await invite.getByLabel('Name or agency').fill('R');
    await invite.getByRole('button', { name: 'Search the directory' }).click();
    await invite.getByText('at least 2 characters').waitFor();

    await invite.getByLabel('Name or agency').fill('Police');
    await invite.getByLabel('Only with role').selectOption('PRACTITIONER');
    const searched = sam.page.waitForResponse(
      (r) => r.url().endsWith('/graphql') && (r.request().postData() ?? '').includes('Directory'),
    );
    await invite.getByRole('button', { name: 'Search the directory' }).click();
    const body = (await (await searched).json()) as { data: { directory: Record<string, unknown>[] } };
    // Contact cards only.
    for (const entry of body.data.directory) {
      expect(
        Object.keys(entry)
          .filter((k) => k !== '__typename')
          .sort(),
      ).toEqual(['agency', 'contactRoute', 'displayName', 'email', 'jobTitle', 'phone', 'roles', 'userId'].sort());
    }
    const entry = invite.getByTestId('directory-entry').filter({ hasText: 'Pat Reid' });
    await entry.waitFor();
    expect(await entry.textContent()).toContain('Northshire Police');
    expect(await entry.textContent()).toContain('Detective Constable');
    // Practitioners only: the police's agency admin is never listed.
    expect(await invite.getByTestId('directory-entry').filter({ hasText: 'Ada Lin' }).count()).toBe(0);
    await checkScreen(sam, 'family-invite');

    // A past end date is refused by the server, shown, and nothing changes; then the add works.
    await invite.getByLabel('Access until (optional)').fill('2020-01-01');
    await entry.getByRole('button', { name: 'Add to this network: Pat Reid' }).click();
    await invite.getByRole('alert').getByText('must be in the future').waitFor();
    expect(await sam.page.getByRole('list', { name: 'Network members' }).textContent()).not.toContain('Pat Reid');
    await invite.getByLabel('Access until (optional)').fill('');
    await entry.getByRole('button', { name: 'Add to this network: Pat Reid' }).click();
    await invite.getByText('Pat Reid is now in this network.').waitFor();
    await sam.page.getByRole('list', { name: 'Network members' }).getByText('Pat Reid').waitFor();
    await entry.getByText('Already in this network.').waitFor();

    // Pat's open caseload shows the family without a reload, and he can open it.
    await pat.page.getByRole('link', { name: 'NS-2026-0157' }).click({ timeout: 15_000 });
    await pat.page.getByRole('heading', { level: 1, name: 'Family NS-2026-0157' }).waitFor();
    await pat.page.getByRole('list', { name: 'Network members' }).getByText('Sam Okafor').waitFor();
  }, 300_000);
  it('ada adds noor, who must choose her own password at her first sign-in, with the policy shown on the field', async () => {
    const ada = await tab('ada.admin');
    const email = `noor.constable.${Date.now()}@demo.hearth`;
    await ada.page.getByLabel('Name').fill('Noor Constable');
    await ada.page.getByLabel('Email').fill(email);
    await ada.page.getByLabel('First password (at least 12 characters)').fill('a-first-password-from-ada');
    expect(await ada.page.getByLabel('They choose their own password when they first sign in').isChecked()).toBe(true);
    await ada.page.getByRole('button', { name: 'Add' }).click();
    await ada.page.locator(`[data-testid="user-row"][data-email="${email}"]`).waitFor();
    noor = email;

    const first = await tab();
    await submitPassword(first.page, email, 'a-first-password-from-ada');
    await first.page.getByRole('heading', { name: 'Choose your own password' }).waitFor();
    await checkScreen(first, 'sign-in-new-password');
    const next = first.page.getByLabel('New password', { exact: true });
    const confirm = first.page.getByLabel('Confirm the new password');
    const save = first.page.getByRole('button', { name: 'Save and continue' });
    // The server's policy on the field: too short, then the password she was given.
    await next.fill('short');
    await confirm.fill('short');
    await save.click();
    await first.page.locator('#step-new[aria-invalid="true"]').waitFor();
    expect(await first.page.locator('#step-new-error').textContent()).toContain('at least 12 characters');
    await next.fill('a-first-password-from-ada');
    await confirm.fill('a-first-password-from-ada');
    await save.click();
    await first.page.locator('#step-new-error', { hasText: 'must differ' }).waitFor();
    await checkScreen(first, 'sign-in-new-password-error');
    // A confirmation that does not match never leaves the page.
    await next.fill('noor chose this phrase herself');
    await confirm.fill('noor chose this phrase');
    await save.click();
    await first.page.locator('#step-confirm[aria-invalid="true"]').waitFor();
    await confirm.fill('noor chose this phrase herself');
    await save.click();
    await first.page.getByText('You are not in any family network yet.').waitFor();
    await signedIn(first.page);
  }, 300_000);

  it('ada disables and enables noor, then resets her password: the link, shown once, sets a new one once, and a sign-in half done before it has expired', async () => {
    const ada = await tab('ada.admin');
    const row = ada.page.locator(`[data-testid="user-row"][data-email="${noor}"]`);
    await row.waitFor();
    const noorTab = await tab();
    await signIn(noorTab, noor, 'noor chose this phrase herself');

    // Disabled, then enabled again: she signs in as before.
    ada.page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Disable Noor Constable' }).click();
    await noorTab.page.getByText('Your session has ended').waitFor({ timeout: 15_000 });
    await submitPassword(noorTab.page, noor, 'noor chose this phrase herself');
    await noorTab.page.getByRole('alert').waitFor();
    await row.getByRole('button', { name: 'Enable Noor Constable' }).click();
    await row.getByText('Active').waitFor();
    await submitPassword(noorTab.page, noor, 'noor chose this phrase herself');
    await signedIn(noorTab.page);

    // The reset: the link is shown once; her sessions end at once.
    ada.page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Reset password for Noor Constable' }).click();
    const link = (await ada.page.getByTestId('reset-link').textContent()) ?? '';
    expect(link.startsWith(`${app.url}/reset-password#token=`)).toBe(true);
    await checkScreen(ada, 'agency-admin-reset-link');
    await noorTab.page.getByText('Your session has ended').waitFor({ timeout: 15_000 });
    await ada.page.getByRole('button', { name: 'I have handed it over' }).click();
    expect(await ada.page.content()).not.toContain(link);

    // Her old password now only leads to choosing a new one: she stops at that step.
    await submitPassword(noorTab.page, noor, 'noor chose this phrase herself');
    await noorTab.page.getByRole('heading', { name: 'Choose your own password' }).waitFor();

    // The link, opened elsewhere, sets the password; the token leaves the address bar.
    const reset = await tab();
    await reset.page.goto(link);
    await reset.page.getByRole('heading', { name: 'Set a new password' }).waitFor();
    expect(reset.page.url()).not.toContain('token');
    await checkScreen(reset, 'reset-password');
    await reset.page.getByLabel('New password', { exact: true }).fill('noor reset this one today');
    await reset.page.getByLabel('Confirm the new password').fill('noor reset this one today');
    await reset.page.getByRole('button', { name: 'Set password' }).click();
    await reset.page.getByText('Your new password is set.').waitFor();
    await checkScreen(reset, 'reset-password-done');

    // The same link a second time is refused (the first use above is its positive control).
    const again = await tab();
    await again.page.goto(link);
    await again.page.getByLabel('New password', { exact: true }).fill('someone else tries this');
    await again.page.getByLabel('Confirm the new password').fill('someone else tries this');
    await again.page.getByRole('button', { name: 'Set password' }).click();
    await again.page.getByRole('alert').getByText('invalid or has expired').waitFor();

    // The step she left open belongs to a password that no longer exists: it has expired.
    await noorTab.page.getByLabel('New password', { exact: true }).fill('a phrase from the old step');
    await noorTab.page.getByLabel('Confirm the new password').fill('a phrase from the old step');
    await noorTab.page.getByRole('button', { name: 'Save and continue' }).click();
    await noorTab.page.getByText('This sign-in has expired. Sign in again.').waitFor();
    await submitPassword(noorTab.page, noor, 'noor reset this one today');
    await signedIn(noorTab.page);
  }, 300_000);

  it('mia, who has an authenticator, signs in through her agency’s provider and is asked for a code, not a password', async () => {
    const configured = await app.gql({
      query: `mutation ($input: ConfigureIdentityProviderInput!) { configureAgencyIdentityProvider(input: $input) { agencyId } }`,
      variables: {
        input: {
          agencyId: as['mia.manager'].agencyId,
          issuer: idp.issuer,
          clientId: 'hearth',
          clientSecretEnv: IDP_SECRET_ENV,
          allowedEmailDomains: ['demo.hearth'],
        },
      },
      token: as['pam.partner'].accessToken,
    });
    expect(configured.errors).toBeUndefined();
    const { beginMfaEnrolment } = await app.gqlData<{ beginMfaEnrolment: { secret: string } }>({
      query: `mutation { beginMfaEnrolment { secret } }`,
      token: as['mia.manager'].accessToken,
    });
    const secret = beginMfaEnrolment.secret;
    await app.gqlData({
      query: `mutation ($code: String!) { confirmMfaEnrolment(code: $code) }`,
      variables: { code: await totp(secret) },
      token: as['mia.manager'].accessToken,
    });

    const mia = await tab();
    await mia.page.goto(
      await providerSignIn(`${app.url}/auth/oidc/${as['mia.manager'].agencyId}/start`, idp.issuer, 'mia'),
    );
    const code = mia.page.getByLabel('Code from your app');
    await code.waitFor();
    // The password form is not what it asks for.
    expect(await mia.page.getByLabel('Password').count()).toBe(0);
    await code.fill(await totp(secret, 1));
    await mia.page
      .getByRole('button', { name: /verify|continue|sign in/i })
      .first()
      .click();
    await signedIn(mia.page);
    await checkScreen(mia, 'provider-sign-in-code');
  });
});
