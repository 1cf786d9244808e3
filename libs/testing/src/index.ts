export { eventually } from './eventually.js';
export { errorCode, graphql, graphqlData } from './graphql-client.js';
export type { GraphQLCall, GraphQLResponse } from './graphql-client.js';
export { createTestDataSource } from './test-data-source.js';
export type { TestDataSource } from './test-data-source.js';
export { createTestDatabase, startTestServer, withDatabase } from './test-server.js';
export type { TestDatabase, TestServer, TestServerOptions } from './test-server.js';
export { connectSocket, refusedHandshake } from './socket-client.js';
export type { ReceivedNotification, TestSocket } from './socket-client.js';
