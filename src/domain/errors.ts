/**
 * The one error catalogue. Domain code throws ApiError with a stable code; only the HTTP edge
 * turns it into a status and the `{"error": {...}}` envelope (spec section 6).
 */
export const ERROR_STATUS = {
  BadRequest: 400,
  ODataError: 400,
  InvalidInput: 400,
  InvalidRequestBody: 400,
  MaximumBatchSizeExceeded: 400,
  MissingRequiredParameter: 400,
  // Machine actions (shared/spec/machine-actions.md).
  ActiveRequestAlreadyExists: 400,
  OsPlatformNotSupported: 400,
  InvalidHashValue: 400,
  InvalidRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  ResourceNotFound: 404,
  MethodNotAllowed: 405,
  // COMPAT: the reference documents neither; HTTP's own codes, in the envelope (docs/compat.md).
  RequestTimeout: 408,
  // COMPAT: the reference has no code for an oversized body; see docs/compat.md.
  RequestEntityTooLarge: 413,
  TooManyRequests: 429,
  RequestHeaderFieldsTooLarge: 431,
  InternalServerError: 500,
  NotImplemented: 501,
  ServiceUnavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra response headers (Allow, Retry-After...). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }
}

export const invalidInput = (message: string) => new ApiError('InvalidInput', message);
export const invalidBody = (message: string) => new ApiError('InvalidRequestBody', message);
export const missingParameter = (name: string) =>
  new ApiError('MissingRequiredParameter', `Parameter ${name} is missing.`);
export const machineNotFound = (key: string) => new ApiError('ResourceNotFound', `Machine ${key} was not found`);
export const unauthorized = (message = 'Authorization has been denied for this request.') =>
  new ApiError('Unauthorized', message);
