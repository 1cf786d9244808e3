import { graphqlData } from '@hearth/testing';

export const DEMO_PASSWORD = 'hearth-demo';

export interface Session {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly userId: string;
  readonly agencyId: string;
}

const LOGIN = `mutation ($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken refreshToken user { id agency { id } } }
}`;

/** Logs a demo user in (`sam.social` or a full email) over real HTTP. */
export async function login(baseUrl: string, who: string, password = DEMO_PASSWORD): Promise<Session> {
  const email = who.includes('@') ? who : `${who}@demo.hearth`;
  const data = await graphqlData<{
    login: { accessToken: string; refreshToken: string; user: { id: string; agency: { id: string } } };
  }>(baseUrl, { query: LOGIN, variables: { email, password } });
  return {
    accessToken: data.login.accessToken,
    refreshToken: data.login.refreshToken,
    userId: data.login.user.id,
    agencyId: data.login.user.agency.id,
  };
}
