import type { Request, Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject, ZodOpenApiResponsesObject } from 'zod-openapi';
import { errorSchema, HttpError, invalidInput, type InputLocation } from './errors';
import { IDEMPOTENCY_HEADER } from './idempotency';

/**
 * One admin endpoint, declared once: the schemas that validate its input are the ones the OpenAPI
 * document is generated from.
 */

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteResult {
  status: number;
  body: unknown;
  /** An answer repeated for a request already handled under the same Idempotency-Key. */
  replayed?: boolean;
}

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSpec<
  P extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  B extends z.ZodType | undefined,
> {
  method: Method;
  /** OpenAPI style: /campaigns/{campaign}/pause */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Success responses; the error responses every route shares are added for it. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /**
   * Also accepts a streamed body of one of these media types: the body is then left unread for the
   * handler (input.body is undefined) and Idempotency-Key is refused, since it cannot cover a stream.
   */
  upload?: { mediaType: string; description: string };
  /** Extra error responses this route can give, with what they mean. */
  errors?: Record<number, string>;
  handle(input: { params: Output<P>; query: Output<Q>; body: Output<B> }, req: Request): Promise<RouteResult>;
}

export type Route = RouteSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>;

export function route<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(spec: RouteSpec<P, Q, B>): Route {
  return spec;
}

function parse(location: InputLocation, schema: z.ZodType | undefined, value: unknown): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value);
  if (!result.success) throw invalidInput(location, result.error);
  return result.data;
}

export interface MountOptions {
  /** Wraps every POST, for Idempotency-Key handling. */
  wrapPost?: (req: Request, run: () => Promise<RouteResult>) => Promise<RouteResult>;
}

export function mountRoutes(router: Router, routes: Route[], options: MountOptions = {}): void {
  for (const spec of routes) {
    const expressPath = spec.path.replace(/\{(\w+)\}/g, ':$1');
    router[spec.method](expressPath, async (req, res) => {
      // The route template labels metrics and logs; the raw path holds customer IDs.
      res.locals.route = spec.path;
      const upload = spec.upload !== undefined && req.is(spec.upload.mediaType) !== false;
      const run = async () => {
        const input = {
          params: parse('path', spec.params, req.params),
          query: parse('query', spec.query, req.query),
          body: upload ? undefined : parse('body', spec.body, req.body),
        };
        return spec.handle(input, req);
      };
      if (upload && req.get(IDEMPOTENCY_HEADER) !== undefined)
        throw new HttpError(
          400,
          'invalid_request',
          `${IDEMPOTENCY_HEADER} is not supported on uploads: list the launches to find one already created.`,
          { field: IDEMPOTENCY_HEADER, in: 'header' },
        );
      const idempotent = spec.method === 'post' && options.wrapPost && !upload;
      const result = idempotent ? await options.wrapPost!(req, run) : await run();
      if (result.replayed) res.set('Idempotent-Replayed', 'true');
      res.status(result.status).json(result.body);
    });
  }
}

const SHARED_ERRORS: Record<number, string> = {
  400: 'The request is invalid; `field` names the offending input.',
  401: 'No admin token was sent.',
  403: 'The admin token is wrong.',
  429: 'Too many requests; retry after the time in the RateLimit headers.',
};

const errorContent = { 'application/json': { schema: errorSchema } };

export function openApiPaths(routes: Route[]): ZodOpenApiPathsObject {
  const paths: ZodOpenApiPathsObject = {};
  for (const spec of routes) {
    const responses: ZodOpenApiResponsesObject = {};
    for (const [status, response] of Object.entries(spec.responses)) {
      responses[status as '200'] = response.schema
        ? { description: response.description, content: { 'application/json': { schema: response.schema } } }
        : { description: response.description };
    }
    for (const [status, description] of Object.entries({ ...SHARED_ERRORS, ...spec.errors })) {
      responses[status as '400'] = { description, content: errorContent };
    }
    const operation: ZodOpenApiOperationObject = {
      operationId: spec.operationId,
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      tags: [spec.tag],
      requestParams: {
        ...(spec.params ? { path: spec.params as never } : {}),
        ...(spec.query ? { query: spec.query as never } : {}),
      },
      ...(spec.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': { schema: spec.body },
                ...(spec.upload
                  ? { [spec.upload.mediaType]: { schema: z.string().meta({ description: spec.upload.description }) } }
                  : {}),
              },
            },
          }
        : {}),
      ...(spec.method === 'post' ? { parameters: [{ $ref: '#/components/parameters/IdempotencyKey' }] } : {}),
      responses,
    };
    paths[spec.path] = { ...paths[spec.path], [spec.method]: operation };
  }
  return paths;
}
