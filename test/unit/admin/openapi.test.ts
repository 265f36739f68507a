import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileErrors, validate } from '@readme/openapi-parser';
import { adminRoutes } from '../../../admin/app';
import { createOpenApiDocument } from '../../../admin/openapi';
import { CAMPAIGN_TYPES } from '../../../contract/campaigns';

describe('admin API OpenAPI document', () => {
  const document = createOpenApiDocument(adminRoutes({ pageTokenSecret: 'unit-test-secret' } as never));

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await validate(structuredClone(document) as never);
    assert.ok(result.valid, compileErrors(result));
  });

  it('documents every route with its operation, its error shape and the bearer scheme', () => {
    const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(
        item as Record<string, { operationId: string; responses: Record<string, unknown>; security?: unknown[] }>,
      ).map(([method, op]) => ({ path, method, op })),
    );
    assert.equal(operations.length, 4 + adminRoutes({ pageTokenSecret: 'unit-test-secret' } as never).length);
    for (const campaign of CAMPAIGN_TYPES) {
      assert.ok(
        operations.some(({ path, method }) => path === `/campaigns/${campaign}/journeys` && method === 'post'),
        `start ${campaign}`,
      );
    }
    for (const { path, op } of operations.filter(
      ({ path }) => !['/healthz', '/readyz', '/metrics', '/openapi.json'].includes(path),
    )) {
      assert.ok(
        op.responses['401'] && op.responses['403'] && op.responses['400'],
        `${path} documents 400, 401 and 403`,
      );
      assert.equal(op.security, undefined, `${path} inherits the bearer requirement`);
    }
    assert.deepEqual(document.security, [{ bearerAuth: [] }]);
  });

  it('generates request bodies from the validating schemas (strict, with their limits)', () => {
    const start = (
      document.paths?.['/campaigns/cart-abandonment/journeys'] as {
        post: {
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  required: string[];
                  additionalProperties: boolean;
                  properties: { items: { minItems: number } };
                };
              };
            };
          };
        };
      }
    ).post;
    const schema = start.requestBody.content['application/json'].schema;
    assert.deepEqual(schema.required.sort(), ['customerId', 'items']);
    assert.equal(schema.additionalProperties, false);
    assert.equal(schema.properties.items.minItems, 1);
  });
});
