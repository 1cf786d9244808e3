import { graphql } from './graphql.ts';

export const CARD = graphql(`
  fragment Card on ContactCard {
    userId
    displayName
    jobTitle
    phone
    email
    contactRoute
    agency {
      id
      name
    }
  }
`);
