import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';
import type { Logger } from '../platform/logger';

/** Every error the admin API returns has this shape; `field` names the offending input when there is one. */
export const errorSchema = z
  .object({
    error: z.string().meta({ description: 'A stable, machine-readable code', example: 'invalid_request' }),
    message: z.string(),
    field: z
      .string()
      .optional()
      .meta({ description: 'The offending field, as a dotted path', example: 'items.0.price' }),
    in: z.enum(['path', 'query', 'header', 'body']).optional(),
    issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof errorSchema>;
export type InputLocation = NonNullable<ErrorBody['in']>;

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Pick<ErrorBody, 'field' | 'in' | 'issues'> = {},
  ) {
    super(message);
  }

  get body(): ErrorBody {
    return { error: this.code, message: this.message, ...this.details };
  }
}

export const notFound = (message: string) => new HttpError(404, 'not_found', message);

/** A 400 that names every offending field of one part of the request. */
export function invalidInput(location: InputLocation, error: z.ZodError): HttpError {
  const issues = error.issues.map((issue) => {
    // An unknown key is named itself, not the object that holds it.
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
    return { field: path.map(String).join('.') || location, message: issue.message };
  });
  const first = issues[0]!;
  return new HttpError(
    400,
    'invalid_request',
    `${location === 'body' ? '' : `${location} `}${first.field}: ${first.message}`,
    { field: first.field, in: location, issues },
  );
}

/** The last handler: known errors become their JSON; anything else is logged and answered with a bare 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const httpError = toHttpError(error);
    if (httpError.status >= 500)
      logger.error({ err: error, method: req.method, path: req.path }, 'admin request failed');
    res.status(httpError.status).json(httpError.body);
  };
}

/** Errors thrown by body-parser carry a status and a type. */
function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const parserError = error as { type?: string; status?: number; message?: string };
  if (parserError.type === 'entity.parse.failed')
    return new HttpError(400, 'invalid_json', `The request body is not valid JSON: ${parserError.message}`, {
      field: 'body',
      in: 'body',
    });
  if (parserError.type === 'entity.too.large')
    return new HttpError(413, 'body_too_large', 'The request body is larger than 100 kB.', {
      field: 'body',
      in: 'body',
    });
  if (parserError.type === 'encoding.unsupported' || parserError.type === 'charset.unsupported')
    return new HttpError(415, 'unsupported_encoding', parserError.message ?? 'Unsupported encoding.', {
      field: 'body',
      in: 'body',
    });
  if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
    return new HttpError(parserError.status, 'bad_request', parserError.message ?? 'Bad request.');
  }
  return new HttpError(500, 'internal_error', 'The admin API failed to handle this request; the error is in its log.');
}
