import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as oidc from 'openid-client';
import type { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '@hearth/authz';
import { CLOCK, HEARTH_CONFIG, secretNamed, type Clock, type HearthConfig } from '@hearth/config';
import { badInput, notFound, unauthenticated, validate } from '@hearth/errors';
import { AgencyRepository } from './agency.repository.js';
import {
  ExternalSignInRepository,
  type IdentityProviderRow,
  type NewIdentityProvider,
} from './external-sign-in.repository.js';
import { IdentifierHash } from './identifier-hash.service.js';
import { LoginThrottle } from './login-throttle.service.js';
import { IDENTITY_EVENTS, type ExternalSignInFailure, type IdentityEventRecorder } from './identity-events.js';
import { UserStatus } from './identity.enums.js';
import type { AuthPayloadModel } from './identity.models.js';
import {
  agencyIdSchema,
  configureIdentityProviderSchema,
  handoffSchema,
  type ConfigureIdentityProviderInput,
} from './identity-provider.inputs.js';
import type { AgencyIdentityProviderModel, SignInProviderModel } from './identity-provider.models.js';
import { SessionService } from './session.service.js';
import { UserRepository, type CredentialedUserRow } from './user.repository.js';

/** Time to sign in at the provider and come back. */
export const ATTEMPT_TTL_SECONDS = 600;
/** Time for the web client to redeem the code it was redirected with. */
export const HANDOFF_TTL_SECONDS = 60;
/** How long a provider's discovery document is trusted before it is fetched again. */
const DISCOVERY_TTL_MS = 10 * 60_000;
/** What is kept of a provider between sign-ins (per node): its metadata and its signing keys. */
interface Discovered {
  /** The provider settings it was fetched for: a change fetches again. */
  readonly key: string;
  readonly at: number;
  readonly server: oidc.ServerMetadata;
  /** The JWKS document as the provider sent it, and the key ids in it. */
  jwks?: { readonly body: string; readonly kids: ReadonlySet<string> };
}
/** Seconds the provider's clock may differ from Hearth's when ID token times are checked. */
const CLOCK_TOLERANCE_SECONDS = 30;
/** Client secrets are read only from variables of this prefix: an admin cannot send another secret out. */
export const CLIENT_SECRET_ENV_PREFIX = 'HEARTH_OIDC_SECRET_';

export const CALLBACK_PATH = '/auth/oidc/callback';
export const startPath = (agencyId: string) => `/auth/oidc/${agencyId}/start`;

/** What the browser is told after a refused sign-in: a code, never the detail (that is audited). */
export type ExternalSignInErrorCode =
  | 'NOT_CONFIGURED'
  | 'PROVIDER_UNAVAILABLE'
  | 'SIGN_IN_EXPIRED'
  | 'PROVIDER_REFUSED'
  | 'VERIFICATION_FAILED'
  | 'ACCOUNT_NOT_AVAILABLE';

const CODE_OF: Record<ExternalSignInFailure, ExternalSignInErrorCode> = {
  'no-provider': 'NOT_CONFIGURED',
  'provider-unavailable': 'PROVIDER_UNAVAILABLE',
  'unknown-state': 'SIGN_IN_EXPIRED',
  'expired-state': 'SIGN_IN_EXPIRED',
  'other-browser': 'SIGN_IN_EXPIRED',
  'provider-error': 'PROVIDER_REFUSED',
  'verification-failed': 'VERIFICATION_FAILED',
  'no-email': 'ACCOUNT_NOT_AVAILABLE',
  'email-not-verified': 'ACCOUNT_NOT_AVAILABLE',
  'email-domain-not-allowed': 'ACCOUNT_NOT_AVAILABLE',
  'unknown-account': 'ACCOUNT_NOT_AVAILABLE',
  'account-disabled': 'ACCOUNT_NOT_AVAILABLE',
  'other-agency': 'ACCOUNT_NOT_AVAILABLE',
  'linked-to-another-subject': 'ACCOUNT_NOT_AVAILABLE',
  'handoff-refused': 'SIGN_IN_EXPIRED',
};

/** Too many sign-ins started from one client address: answered 429 with Retry-After. */
export class ExternalSignInThrottled extends Error {
  override readonly name = 'ExternalSignInThrottled';
  constructor(readonly retryAfterSeconds: number) {
    super('too many sign-ins started');
  }
}

export class ExternalSignInError extends Error {
  override readonly name = 'ExternalSignInError';
  constructor(readonly code: ExternalSignInErrorCode) {
    super(code);
  }
}

interface Refusal {
  readonly reason: ExternalSignInFailure;
  readonly agencyId?: string | null;
  readonly issuer?: string | null;
  readonly userId?: string | null;
  readonly email?: string | null;
  /** What openid-client said, for the audit trail only. */
  readonly check?: string;
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Sign-in through an agency's OpenID provider: authorization code with PKCE, `state` and `nonce`
 * kept server-side (single use, short-lived), the ID token checked by openid-client (signature
 * from the provider's JWKS, issuer, audience, expiry on Hearth's clock). The account is found by
 * the provider's subject, or, the first time, by a verified email of an allowed domain; it must
 * be an active account of that agency (no account is ever created here). The browser then gets a
 * one-time handoff code that `completeExternalSignIn` exchanges for the same payload as `login`.
 */
@Injectable()
export class ExternalSignInService {
  /** Per agency: the provider's discovery document and key set, until the TTL or a settings change. */
  private readonly discovered = new Map<string, Discovered>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repo: ExternalSignInRepository,
    private readonly agencies: AgencyRepository,
    private readonly users: UserRepository,
    private readonly sessions: SessionService,
    private readonly identifiers: IdentifierHash,
    private readonly throttle: LoginThrottle,
    @Inject(IDENTITY_EVENTS) private readonly events: IdentityEventRecorder,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The redirect URI every agency registers at its provider. */
  get redirectUri(): string {
    return `${this.config.publicUrl}${CALLBACK_PATH}`;
  }

  // ---- the flow ---------------------------------------------------------------------------

  /**
   * Where to send the browser, and the value of the cookie that ties the callback to it. Counted
   * per client address on the atomic limiter first: too many throw ExternalSignInThrottled.
   */
  async start(agencyId: string, clientAddress: string | undefined): Promise<{ location: string; browser: string }> {
    const hit = await this.throttle.externalStart(this.dataSource, clientAddress);
    if (hit && !hit.allowed) throw new ExternalSignInThrottled(hit.retryAfterSeconds);
    const id = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(agencyId) ? agencyId : null;
    const provider = id ? await this.repo.findProvider(id) : undefined;
    if (!provider) return this.refuse({ reason: 'no-provider', agencyId: id });
    const configuration = await this.configurationOf(provider);
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const browser = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await this.dataSource.transaction((manager) =>
      this.repo.insertAttempt(
        manager,
        { stateHash: sha256(state), agencyId: provider.agency_id, browserHash: sha256(browser), nonce, codeVerifier },
        now,
        new Date(now.getTime() + ATTEMPT_TTL_SECONDS * 1000),
      ),
    );
    const location = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: 'openid email',
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
    return { location: location.href, browser };
  }

  /**
   * The provider's answer: `query` is the callback's query string, `browser` the cookie set at the
   * start. Returns the one-time handoff code for the web client.
   */
  async callback(query: URLSearchParams, browser: string | undefined): Promise<string> {
    const state = query.get('state');
    if (!state || state.length > 512) return this.refuse({ reason: 'unknown-state' });
    // Taken out at once, in its own transaction: whatever happens next, this state is spent.
    const attempt = await this.dataSource.transaction((manager) => this.repo.takeAttempt(manager, sha256(state)));
    if (!attempt) return this.refuse({ reason: 'unknown-state' });
    const agencyId = attempt.agency_id;
    if (attempt.expires_at <= this.clock.now()) return this.refuse({ reason: 'expired-state', agencyId });
    const expected = attempt.browser_hash;
    if (!browser || browser.length > 100 || !timingSafeEqual(sha256(browser), expected)) {
      return this.refuse({ reason: 'other-browser', agencyId });
    }
    const provider = await this.repo.findProvider(agencyId);
    if (!provider) return this.refuse({ reason: 'no-provider', agencyId });
    const issuer = provider.issuer;
    const providerError = query.get('error');
    if (providerError) {
      return this.refuse({ reason: 'provider-error', agencyId, issuer, check: providerError.slice(0, 64) });
    }
    const configuration = await this.configurationOf(provider);
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    let claims: oidc.IDToken;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, new URL(`${this.redirectUri}?${query.toString()}`), {
        pkceCodeVerifier: attempt.code_verifier,
        expectedState: state,
        expectedNonce: attempt.nonce,
        idTokenExpected: true,
      });
      const idToken = tokens.claims();
      if (!idToken) throw new Error('no ID token');
      claims = idToken;
    } catch (error) {
      return this.refuse({ reason: 'verification-failed', agencyId, issuer, check: checkOf(error) });
    }
    const subject = claims.sub;

    // The provider's userinfo endpoint is asked, if at all, before any transaction is open.
    const linked = await this.repo.findLinkBySubject(this.dataSource.manager, issuer, subject);
    const named = linked ? undefined : await this.emailOf(provider, configuration, tokens, claims);
    type Outcome =
      | { refused: ExternalSignInFailure; userId: string | null; email: string | null }
      | { user: CredentialedUserRow; linkedBy: 'subject' | 'email' };
    const outcome = await this.dataSource.transaction(async (manager): Promise<Outcome> => {
      const link = await this.repo.findLinkBySubject(manager, issuer, subject);
      if (link) {
        const user = await this.users.findWithCredential(link.user_id, manager);
        const refused = this.refusalFor(user, provider);
        if (refused || !user) return { refused: refused ?? 'unknown-account', userId: user?.id ?? null, email: null };
        await this.repo.touchLink(manager, link.id, this.clock.now());
        return { user, linkedBy: 'subject' };
      }
      if (!named || 'refused' in named) {
        return { refused: named?.refused ?? 'no-email', userId: null, email: named?.email ?? null };
      }
      const user = await this.users.findByEmail(named.email, manager);
      const refused = this.refusalFor(user, provider);
      if (refused || !user)
        return { refused: refused ?? 'unknown-account', email: named.email, userId: user?.id ?? null };
      if (await this.repo.isLinked(manager, user.id, issuer)) {
        return { refused: 'linked-to-another-subject', email: named.email, userId: user.id };
      }
      const linkId = await this.repo.insertLink(manager, user.id, issuer, subject, this.clock.now());
      await this.events.record(manager, {
        kind: 'external-identity-linked',
        userId: user.id,
        agencyId,
        issuer,
        subject,
        linkId,
        emailVerifiedBy: named.verifiedBy,
      });
      return { user, linkedBy: 'email' };
    });
    if ('refused' in outcome) {
      return this.refuse({ reason: outcome.refused, agencyId, issuer, userId: outcome.userId, email: outcome.email });
    }

    const handoff = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    await this.dataSource.transaction(async (manager) => {
      await this.repo.insertHandoff(
        manager,
        { codeHash: sha256(handoff), userId: outcome.user.id, issuer },
        now,
        new Date(now.getTime() + HANDOFF_TTL_SECONDS * 1000),
      );
      await this.events.record(manager, {
        kind: 'external-sign-in-verified',
        userId: outcome.user.id,
        agencyId,
        issuer,
        linkedBy: outcome.linkedBy,
      });
    });
    return handoff;
  }

  /** Redeems a handoff code once: the same answer as `login` (a session, or the MFA challenge). */
  async complete(input: { handoff: string }): Promise<AuthPayloadModel> {
    const { handoff } = validate(handoffSchema, input);
    const outcome = await this.dataSource.transaction(
      async (manager): Promise<{ payload: AuthPayloadModel } | { refused: string | null }> => {
        const row = await this.repo.takeHandoff(manager, sha256(handoff));
        if (!row || row.expires_at <= this.clock.now()) return { refused: row?.user_id ?? null };
        const user = await this.users.findWithCredential(row.user_id, manager);
        if (!user || user.status !== UserStatus.ACTIVE) return { refused: row.user_id };
        return { payload: await this.sessions.signInVerified(manager, user) };
      },
    );
    if ('payload' in outcome) return outcome.payload;
    await this.dataSource.transaction((manager) =>
      this.events.record(manager, {
        kind: 'external-sign-in-refused',
        reason: 'handoff-refused',
        agencyId: null,
        issuer: null,
        userId: outcome.refused,
        identifierHash: null,
      }),
    );
    throw unauthenticated('Sign-in expired; start again');
  }

  // ---- configuration ----------------------------------------------------------------------

  /** The agencies whose users can sign in through their provider: public, for the sign-in screen. */
  async signInProviders(): Promise<SignInProviderModel[]> {
    const rows = await this.repo.listProviders();
    return rows.map((row) => ({
      agencyId: row.agency_id,
      agencyName: row.agency_name,
      startPath: startPath(row.agency_id),
    }));
  }

  async list(): Promise<AgencyIdentityProviderModel[]> {
    return (await this.repo.listProviders()).map((row) => this.modelOf(row));
  }

  async configure(principal: Principal, input: ConfigureIdentityProviderInput): Promise<AgencyIdentityProviderModel> {
    const data = validate(configureIdentityProviderSchema(this.config.nodeEnv === 'production'), input);
    if (data.clientSecretEnv && !secretNamed(data.clientSecretEnv)) {
      throw badInput('clientSecretEnv', 'names no environment variable set on the server');
    }
    const provider: NewIdentityProvider = {
      agencyId: data.agencyId,
      issuer: data.issuer,
      clientId: data.clientId,
      clientSecretEnv: data.clientSecretEnv ?? null,
      emailClaim: data.emailClaim,
      allowedEmailDomains: data.allowedEmailDomains,
      passwordSignIn: data.passwordSignInAllowed,
      trustEmailWithoutVerifiedClaim: data.trustEmailWithoutVerifiedClaim,
    };
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.agencies.exists(manager, data.agencyId))) throw notFound();
      await this.repo.upsertProvider(manager, provider);
      await this.events.record(manager, {
        kind: 'identity-provider-configured',
        principal,
        agencyId: data.agencyId,
        issuer: data.issuer,
        clientId: data.clientId,
        allowedEmailDomains: data.allowedEmailDomains,
        passwordSignIn: data.passwordSignInAllowed,
        trustEmailWithoutVerifiedClaim: data.trustEmailWithoutVerifiedClaim,
      });
      this.discovered.delete(data.agencyId);
      return this.modelOf((await this.repo.findProvider(data.agencyId, manager))!);
    });
  }

  /** Writes a provider without an actor or an audit entry: the demo seed's, never a request's. */
  async install(provider: NewIdentityProvider): Promise<void> {
    await this.dataSource.transaction((manager) => this.repo.upsertProvider(manager, provider));
    this.discovered.delete(provider.agencyId);
  }

  async remove(principal: Principal, agencyId: string): Promise<boolean> {
    const { agencyId: id } = validate(agencyIdSchema, { agencyId });
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.repo.removeProvider(manager, id))) throw notFound();
      await this.events.record(manager, { kind: 'identity-provider-removed', principal, agencyId: id });
      this.discovered.delete(id);
      return true;
    });
  }

  // ---- helpers ----------------------------------------------------------------------------

  private modelOf(row: IdentityProviderRow): AgencyIdentityProviderModel {
    return {
      agencyId: row.agency_id,
      agencyName: row.agency_name,
      issuer: row.issuer,
      clientId: row.client_id,
      clientSecretEnv: row.client_secret_env,
      emailClaim: row.email_claim,
      allowedEmailDomains: row.allowed_email_domains,
      passwordSignInAllowed: row.password_sign_in,
      trustEmailWithoutVerifiedClaim: row.trust_email_without_verified_claim,
      redirectUri: this.redirectUri,
      startPath: startPath(row.agency_id),
      updatedAt: row.updated_at,
    };
  }

  /** Why this account may not sign in through this agency's provider, if it may not. */
  private refusalFor(
    user: CredentialedUserRow | undefined,
    provider: IdentityProviderRow,
  ): ExternalSignInFailure | undefined {
    if (!user) return 'unknown-account';
    if (user.agency_id !== provider.agency_id) return 'other-agency';
    if (user.status !== UserStatus.ACTIVE) return 'account-disabled';
    return undefined;
  }

  /**
   * The verified email the provider names, from the ID token or else its userinfo endpoint:
   * verified when its `email_verified` claim is true, or, when it sends no such claim at all and
   * the agency said so, by the agency's trust in its provider. Always of an allowed domain.
   */
  private async emailOf(
    provider: IdentityProviderRow,
    configuration: oidc.Configuration,
    tokens: { access_token: string },
    claims: oidc.IDToken,
  ): Promise<
    { email: string; verifiedBy: 'claim' | 'agency-setting' } | { refused: ExternalSignInFailure; email?: string }
  > {
    let source: Record<string, unknown> = claims;
    if (typeof claims[provider.email_claim] !== 'string' && configuration.serverMetadata().userinfo_endpoint) {
      try {
        source = await oidc.fetchUserInfo(configuration, tokens.access_token, claims.sub);
      } catch {
        return { refused: 'no-email' };
      }
    }
    const value = source[provider.email_claim];
    if (typeof value !== 'string' || value.length > 254 || !value.includes('@')) return { refused: 'no-email' };
    const email = value.trim().toLowerCase();
    const claim = source['email_verified'];
    const verifiedBy =
      claim === true
        ? ('claim' as const)
        : claim === undefined && provider.trust_email_without_verified_claim
          ? ('agency-setting' as const)
          : undefined;
    if (!verifiedBy) return { refused: 'email-not-verified', email };
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (!provider.allowed_email_domains.includes(domain)) return { refused: 'email-domain-not-allowed', email };
    return { email, verifiedBy };
  }

  /**
   * openid-client's configuration for a provider. Its discovery document and key set are kept per
   * agency (DISCOVERY_TTL_MS, dropped when the partnership admin changes or removes the provider);
   * the configuration itself is built per sign-in, cheaply, because its clock skew follows
   * Hearth's clock, so ID token expiry is judged by the one clock.
   */
  private async configurationOf(provider: IdentityProviderRow): Promise<oidc.Configuration> {
    const insecure = provider.issuer.startsWith('http:') && this.config.nodeEnv !== 'production';
    const secret = provider.client_secret_env ? secretNamed(provider.client_secret_env) : undefined;
    if (provider.client_secret_env && !secret) {
      return this.refuse({ reason: 'provider-unavailable', agencyId: provider.agency_id, issuer: provider.issuer });
    }
    const key = `${provider.issuer} ${provider.client_id} ${provider.updated_at.toISOString()}`;
    let cached = this.discovered.get(provider.agency_id);
    if (!cached || cached.key !== key || Date.now() - cached.at > DISCOVERY_TTL_MS) {
      try {
        const found = await oidc.discovery(new URL(provider.issuer), provider.client_id, undefined, oidc.None(), {
          execute: insecure ? [oidc.allowInsecureRequests] : [],
          timeout: 10,
        });
        cached = { key, at: Date.now(), server: found.serverMetadata() };
        this.discovered.set(provider.agency_id, cached);
      } catch (error) {
        return this.refuse({
          reason: 'provider-unavailable',
          agencyId: provider.agency_id,
          issuer: provider.issuer,
          check: checkOf(error),
        });
      }
    }
    const skew = Math.round((this.clock.now().getTime() - Date.now()) / 1000);
    const methods = cached.server.token_endpoint_auth_methods_supported;
    const auth = !secret
      ? oidc.None()
      : methods && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')
        ? oidc.ClientSecretPost(secret)
        : oidc.ClientSecretBasic(secret);
    const configuration = new oidc.Configuration(
      cached.server,
      provider.client_id,
      { [oidc.clockSkew]: skew, [oidc.clockTolerance]: CLOCK_TOLERANCE_SECONDS },
      auth,
    );
    if (insecure) oidc.allowInsecureRequests(configuration);
    configuration[oidc.customFetch] = keptKeys(cached);
    // Without this, an ID token from the token endpoint is trusted on TLS alone: its signature is
    // checked against the provider's JWKS here.
    oidc.enableNonRepudiationChecks(configuration);
    return configuration;
  }

  /** Records why a sign-in was refused (its own transaction) and throws the code the browser sees. */
  private async refuse(refusal: Refusal): Promise<never> {
    await this.dataSource.transaction((manager: EntityManager) =>
      this.events.record(manager, {
        kind: 'external-sign-in-refused',
        reason: refusal.reason,
        agencyId: refusal.agencyId ?? null,
        issuer: refusal.issuer ?? null,
        userId: refusal.userId ?? null,
        identifierHash: refusal.email ? this.identifiers.of(refusal.email) : null,
        ...(refusal.check ? { check: refusal.check } : {}),
      }),
    );
    throw new ExternalSignInError(CODE_OF[refusal.reason]);
  }
}

/**
 * The fetch openid-client uses for one sign-in: the provider's key set is served from what was
 * kept (fetched once per discovery), and a token response whose ID token names a key id not in
 * it drops the kept set, so the signature check that follows fetches it once more (the provider
 * rotated its keys). Only the provider's own token endpoint, over the back channel, can cause
 * that refetch.
 */
function keptKeys(cached: Discovered): oidc.CustomFetch {
  const { jwks_uri: jwksUri, token_endpoint: tokenEndpoint } = cached.server;
  return async (url, options) => {
    if (url === jwksUri && options.method === 'GET') {
      if (!cached.jwks) {
        const res = await fetch(url, options);
        if (!res.ok) return res;
        const body = await res.text();
        cached.jwks = { body, kids: kidsOf(body) };
      }
      return new Response(cached.jwks.body, { status: 200, headers: { 'content-type': 'application/json' } });
    }
    const res = await fetch(url, options);
    if (url === tokenEndpoint && res.ok && cached.jwks) {
      const kid = await res
        .clone()
        .json()
        .then((body: unknown) => kidOf(body))
        .catch(() => undefined);
      if (kid !== undefined && !cached.jwks.kids.has(kid)) cached.jwks = undefined;
    }
    return res;
  };
}

function kidsOf(jwks: string): ReadonlySet<string> {
  try {
    const keys = (JSON.parse(jwks) as { keys?: unknown }).keys;
    if (!Array.isArray(keys)) return new Set();
    return new Set(keys.map((k: { kid?: unknown }) => k?.kid).filter((kid): kid is string => typeof kid === 'string'));
  } catch {
    return new Set();
  }
}

/** The `kid` in the header of a token response's ID token, if it has one. */
function kidOf(body: unknown): string | undefined {
  const idToken = (body as { id_token?: unknown } | null)?.id_token;
  if (typeof idToken !== 'string') return undefined;
  try {
    const header = JSON.parse(Buffer.from(idToken.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
      kid?: unknown;
    };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

/** openid-client's error code and message (static texts naming the check, never a token). */
function checkOf(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown';
  const code = (error as { code?: unknown }).code;
  const cause = (error as { cause?: unknown }).cause;
  const providerError =
    cause && typeof cause === 'object' && typeof (cause as { error?: unknown }).error === 'string'
      ? (cause as { error: string }).error
      : undefined;
  // openid-client wraps oauth4webapi's error, whose message names the claim ("aud", "exp").
  const inner = cause instanceof Error ? cause.message : undefined;
  return [typeof code === 'string' ? code : error.name, providerError, error.message, inner]
    .filter(Boolean)
    .join(': ')
    .slice(0, 300);
}
