import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../domain/errors.js';
import { page } from './console-context.js';

const TITLES: Readonly<Record<number, string>> = {
  400: 'That did not work',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Not found',
  413: 'Too much at once',
  500: 'Something went wrong',
};

/**
 * The console's errors are pages, not the API's JSON envelope: the same domain errors (a refused
 * permission is 403, a device outside the user's groups 404) with the same messages, in HTML.
 * Internals never reach the page; a 500 shows the request id to find in the log.
 */
export function registerConsoleErrors(app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    const apiError = toApiError(error);
    if (apiError.status >= 500) request.log.error({ err: error }, 'console request failed');
    return errorPage(request, reply, apiError);
  });
  app.setNotFoundHandler(async (request, reply) => errorPage(request, reply, new ApiError('NotFound', 'There is no console page at this address.')));
}

export async function errorPage(request: FastifyRequest, reply: FastifyReply, error: ApiError): Promise<string> {
  reply.code(error.status).header('cache-control', 'no-store');
  const message = error.status >= 500 ? `An unexpected error occurred. Request id: ${request.id}` : error.message;
  return page(request, reply, 'error', { title: TITLES[error.status] ?? TITLES[400], status: error.status, message, requestId: request.id });
}

function toApiError(error: FastifyError): ApiError {
  if (error instanceof ApiError) return error;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ApiError('RequestEntityTooLarge', 'The form is larger than the console accepts.');
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ApiError('BadRequest', 'The request could not be understood.');
  return new ApiError('InternalServerError', 'An unexpected error occurred.');
}
