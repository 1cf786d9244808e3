import { generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import type { ClientMetadata, Configuration, KoaContextWithOIDC } from 'oidc-provider';

/** An account of the stand-in provider: what it asks at its login form, and the claims it vouches for. */
export interface ProviderAccount {
  password: string;
  /** The stable subject; the login when not given. */
  subject?: string;
  email: string;
  /** Undefined: the provider sends no `email_verified` claim at all (as Entra ID does). */
  emailVerified?: boolean;
}

export interface RunningIdentityProvider {
  /** Its issuer URL, such as http://127.0.0.1:43121 */
  readonly issuer: string;
  readonly provider: Provider;
  /** By login; changes apply to the next sign-in. */
  readonly accounts: Map<string, ProviderAccount>;
  /** The private JWK it signs ID tokens with. */
  readonly signingKey: JsonWebKey & { kid: string };
  close(): Promise<void>;
}

/**
 * A real OpenID provider (oidc-provider, the certified implementation) on a loopback port, with a
 * minimal login form (login and password, checked) and consent taken as given: the demo's and the
 * tests' stand-in for an agency's identity provider. Never started in production: oidc-provider is
 * a development dependency, imported only here.
 */
export async function startIdentityProvider(options: {
  accounts: Record<string, ProviderAccount>;
  clients: ClientMetadata[];
  /** Where the login form says it is, for a person reading it. */
  name?: string;
}): Promise<RunningIdentityProvider> {
  const { default: ProviderClass } = await import('oidc-provider');
  const accounts = new Map(Object.entries(options.accounts));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex') };

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const configuration: Configuration = {
    clients: options.clients,
    jwks: { keys: [{ ...signingKey, use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    findAccount: (_ctx, id) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: account.subject ?? id,
          email: account.email,
          ...(account.emailVerified === undefined ? {} : { email_verified: account.emailVerified }),
        }),
      };
    },
    // The agency's own provider: consent to "openid email" is taken as given.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session, result, provider } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId =
        (result?.['consent'] as { grantId?: string } | undefined)?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) return provider.Grant.find(grantId);
      const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid email');
      await grant.save();
      return grant;
    },
  };
  const provider = new ProviderClass(issuer, configuration);
  const callback = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      interaction(provider, accounts, options.name ?? 'Identity provider', req, res).catch((error: unknown) => {
        res.statusCode = 400;
        res.setHeader('content-type', 'text/plain');
        res.end(error instanceof Error ? error.message : 'interaction failed');
      });
      return;
    }
    void callback(req, res);
  });

  return {
    issuer,
    provider,
    accounts,
    signingKey,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The login form: GET shows it, POST checks the login and password. */
async function interaction(
  provider: Provider,
  accounts: Map<string, ProviderAccount>,
  name: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'POST') {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const login = form.get('login') ?? '';
    const account = accounts.get(login);
    if (account && account.password === (form.get('password') ?? '')) {
      await provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
      return;
    }
    return page(res, 401, name, details.uid, 'Wrong login or password');
  }
  page(res, 200, name, details.uid);
}

function page(res: ServerResponse, status: number, name: string, uid: string, error?: string): void {
  const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(name)}: sign in</title></head>
<body><main><h1>${escape(name)}</h1>
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}">
<label>Login <input name="login" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form></main></body></html>`);
}
