import { z } from 'zod';
import { createDocument, type ZodOpenApiObject } from 'zod-openapi';
import { IDEMPOTENCY_HEADER } from './idempotency';
import { openApiPaths, type Route } from './route';

const healthPaths: ZodOpenApiObject['paths'] = {
  '/healthz': {
    get: {
      operationId: 'health',
      tags: ['Operations'],
      summary: 'The process is alive',
      security: [],
      responses: {
        200: {
          description: 'Alive',
          content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } },
        },
      },
    },
  },
  '/readyz': {
    get: {
      operationId: 'readiness',
      tags: ['Operations'],
      summary: 'Temporal, PostgreSQL and Kafka are reachable',
      security: [],
      responses: {
        200: { description: 'Ready', content: { 'application/json': { schema: readiness() } } },
        503: {
          description: 'A dependency is unreachable; `checks` says which',
          content: { 'application/json': { schema: readiness() } },
        },
      },
    },
  },
  '/metrics': {
    get: {
      operationId: 'metrics',
      tags: ['Operations'],
      summary: 'Prometheus metrics of the admin API',
      responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } } },
    },
  },
  '/openapi.json': {
    get: {
      operationId: 'openApi',
      tags: ['Operations'],
      summary: 'This document',
      responses: {
        200: {
          description: 'OpenAPI 3.1',
          content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
        },
      },
    },
  },
};

function readiness() {
  return z.object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.array(
      z.object({
        name: z.enum(['temporal', 'postgres', 'kafka']),
        ok: z.boolean(),
        status: z
          .enum(['ok', 'timeout', 'unreachable', 'failing'])
          .meta({ description: "Each check is bounded at 2 s; the driver's error goes to the log only" }),
      }),
    ),
  });
}

/** The OpenAPI 3.1 document, generated from the schemas that validate the requests. */
export function createOpenApiDocument(routes: Route[]): ReturnType<typeof createDocument> {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Triggered campaigns admin API',
      version: '1.0.0',
      description:
        "Start, cancel, pause and inspect campaign journeys; read and change customers' consent; send test messages. " +
        'Every endpoint but /healthz and /readyz needs `Authorization: Bearer <ADMIN_TOKEN>`. ' +
        'Errors are JSON objects whose `field` names the offending input.',
    },
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN of the deployment' },
      },
      parameters: {
        IdempotencyKey: {
          name: IDEMPOTENCY_HEADER,
          in: 'header',
          required: false,
          description:
            'Makes a POST safe to retry: a repeat with the same key and body gets the first answer and acts once. ' +
            'Kept for ADMIN_IDEMPOTENCY_TTL (24 h by default).',
          schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
        },
      },
    },
    paths: { ...healthPaths, ...openApiPaths(routes) },
  });
}
