export {
  ConnectionType,
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  encodeCursor,
  MAX_PAGE_SIZE,
  PageArgs,
  PageInfo,
  pageSize,
  toConnection,
} from './connection.js';
export type { Connection, Edge } from './connection.js';
export { LocalDateScalar, parseLocalDate } from './local-date.scalar.js';
