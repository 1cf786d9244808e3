export { errorCode, graphql, graphqlData } from './graphql-client.js';
export type { GraphQLCall, GraphQLResponse } from './graphql-client.js';
export { createTestDatabase, startTestServer, withDatabase } from './test-server.js';
export type { TestDatabase, TestServer, TestServerOptions } from './test-server.js';
