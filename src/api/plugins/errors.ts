import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError, type ErrorCode } from '../../domain/errors.js';
import { newRequestId } from '../../shared/ids.js';
import { isInjectedFault } from './traffic.js';

export const ERROR_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * The one door every error leaves by: domain errors, framework errors (bad JSON, wrong media
 * type, oversized body), unknown routes and crashes all become the MDE envelope
 * `{"error": {"code", "message", "target": <request id>}}`. Internals never reach the client.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const apiError = toApiError(error);
    // A real 5xx keeps its error and stack; one a fault rule asked for is the request line's business.
    if (apiError.status >= 500 && !isInjectedFault(error)) request.log.error({ err: error }, 'request failed');
    return sendError(request, reply, apiError);
  });
  app.setNotFoundHandler((request, reply) => {
    // A path some route takes, with a method none takes there (OPTIONS, TRACE...): 405, as for the Machine API's verbs.
    const allow = request.server.methodsAt(request.url.split('?')[0] ?? '');
    if (allow.length > 0) {
      return sendError(request, reply, new ApiError('MethodNotAllowed', `The requested resource does not support http method '${request.method}'.`, { allow: allow.join(', ') }));
    }
    return sendError(request, reply, new ApiError('NotFound', `No HTTP resource was found that matches the request URI '${request.url}'.`));
  });
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: ApiError): FastifyReply {
  return reply
    .code(error.status)
    .header('request-id', request.id)
    .headers(error.headers)
    .type(ERROR_CONTENT_TYPE)
    .send({ error: { code: error.code, message: error.message, target: request.id } });
}

/**
 * Errors Fastify raises before routing (a path that is not valid percent-encoding, a path
 * parameter longer than the router accepts) still leave by the same door.
 */
export function onFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void sendError(request, reply, toApiError(error));
}

/**
 * Errors Node's HTTP parser raises before Fastify sees a request (a malformed request line, an
 * unknown method, headers over the size limit, a head not finished within --headers-timeout):
 * answered on the raw socket, still in the envelope, and the connection closed.
 */
export function onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { code, status, message } = clientErrorOf(error.code);
  const id = newRequestId();
  const body = JSON.stringify({ error: { code, message, target: id } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${ERROR_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nrequest-id: ${id}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function clientErrorOf(nodeCode: string | undefined): { code: ErrorCode; status: number; message: string } {
  switch (nodeCode) {
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'RequestHeaderFieldsTooLarge', status: 431, message: 'The request headers are too large.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'RequestTimeout', status: 408, message: 'The request was not received in time.' };
    default:
      return { code: 'BadRequest', status: 400, message: 'The request could not be parsed.' };
  }
}

function toApiError(error: FastifyError): ApiError {
  if (error instanceof ApiError) return error;
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return new ApiError('BadRequest', 'The request URI is not valid.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ApiError('BadRequest', 'A path segment of the request URI is too long.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('InvalidRequestBody', 'The request body must be sent with Content-Type: application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('InvalidRequestBody', 'The request body is empty.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('RequestEntityTooLarge', 'The request body is larger than this server accepts.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('BadRequest', 'The Content-Length header does not match the request body.');
  }
  if (error.validation) return new ApiError('BadRequest', error.message);
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ApiError('BadRequest', 'The request could not be understood.');
  return new ApiError('InternalServerError', 'An unexpected error occurred. Use the target value to find it in the server log.');
}
