/** The codes clients see in `extensions.code` (API.md). */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'RATE_LIMITED',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * A failure a client is allowed to know about. Anything else that escapes a request is an
 * internal error: logged with the request id, reported to the client as INTERNAL_SERVER_ERROR.
 */
export class HearthError extends Error {
  override readonly name = 'HearthError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The input field at fault, for BAD_USER_INPUT. */
    readonly field?: string,
    /** Seconds before trying again is worth it, for RATE_LIMITED. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

/** One message for "absent" and "not yours to see", so existence never leaks. */
export const NOT_FOUND_MESSAGE = 'Not found';

export const notFound = (): HearthError => new HearthError('NOT_FOUND', NOT_FOUND_MESSAGE);
export const badInput = (field: string, message: string): HearthError =>
  new HearthError('BAD_USER_INPUT', `${field}: ${message}`, field);
export const forbidden = (message = 'Forbidden'): HearthError => new HearthError('FORBIDDEN', message);
export const unauthenticated = (message = 'Not authenticated'): HearthError =>
  new HearthError('UNAUTHENTICATED', message);
export const conflict = (message: string): HearthError => new HearthError('CONFLICT', message);
export const rateLimited = (message = 'Too many attempts; try again later', retryAfter?: number): HearthError =>
  new HearthError('RATE_LIMITED', message, undefined, retryAfter);

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'BAD_USER_INPUT':
      return 400;
    case 'CONFLICT':
      return 409;
    case 'RATE_LIMITED':
      return 429;
    case 'INTERNAL_SERVER_ERROR':
      return 500;
  }
}
