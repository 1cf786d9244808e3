export {
  badInput,
  conflict,
  ERROR_CODES,
  forbidden,
  HearthError,
  httpStatusOf,
  NOT_FOUND_MESSAGE,
  notFound,
  rateLimited,
  unauthenticated,
} from './hearth-error.js';
export type { ErrorCode } from './hearth-error.js';
export { validate } from './validate.js';
export { line, text, uuid } from './validators.js';
