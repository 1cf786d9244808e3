import type { INestApplication } from '@nestjs/common';
import type { HearthConfig } from '@hearth/config';
import { AgencyService, CALLBACK_PATH, ExternalSignInService } from '@hearth/identity';
import { DEMO_AGENCIES } from './demo-partnership.js';
import { startIdentityProvider, type RunningIdentityProvider } from './identity-provider.js';

/** The password of the demo police force's identity provider (not Hearth's demo password). */
export const DEMO_IDP_PASSWORD = 'northshire-police-idp';
/** Its logins: the police force's practitioner and agency admin. */
export const DEMO_IDP_LOGINS = { pat: 'pat.police@demo.hearth', ada: 'ada.admin@demo.hearth' } as const;
const DEMO_CLIENT_ID = 'hearth-demo';

/**
 * Northshire Police's identity provider for the demo: a real OpenID provider on a loopback port
 * of its own, and Hearth configured to use it (a public client with PKCE; password sign-in stays
 * allowed). Started by `npm start` with the demo, never in production.
 */
export async function startDemoIdentityProvider(
  config: HearthConfig,
  app: INestApplication,
): Promise<RunningIdentityProvider> {
  if (config.nodeEnv === 'production') throw new Error('the demo identity provider never runs in production');
  const idp = await startIdentityProvider({
    name: `${DEMO_AGENCIES.police.name} sign-in (demo)`,
    clients: [
      {
        client_id: DEMO_CLIENT_ID,
        token_endpoint_auth_method: 'none',
        redirect_uris: [`${config.publicUrl}${CALLBACK_PATH}`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    accounts: Object.fromEntries(
      Object.entries(DEMO_IDP_LOGINS).map(([login, email]) => [
        login,
        { password: DEMO_IDP_PASSWORD, email, emailVerified: true },
      ]),
    ),
  });
  try {
    const police = (await app.get(AgencyService).list()).find((a) => a.name === DEMO_AGENCIES.police.name);
    if (!police) throw new Error('the demo police force is missing');
    await app.get(ExternalSignInService).install({
      agencyId: police.id,
      issuer: idp.issuer,
      clientId: DEMO_CLIENT_ID,
      clientSecretEnv: null,
      emailClaim: 'email',
      allowedEmailDomains: ['demo.hearth'],
      passwordSignIn: true,
      trustEmailWithoutVerifiedClaim: false,
    });
  } catch (error) {
    await idp.close();
    throw error;
  }
  return idp;
}
