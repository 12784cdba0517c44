import swagger from '@fastify/swagger';
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { problemSchema } from '../../src/http/errors.ts';
import { documentObject, documentRoute } from '../../src/http/openapi-document.ts';
import type { Schema } from '../support/schema-arbitrary.ts';

async function documentOf(register: (app: ReturnType<typeof Fastify>) => void) {
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(swagger, {
    openapi: { openapi: '3.1.0', info: { title: 't', version: '1' } },
    transform: documentRoute,
    transformObject: documentObject,
  });
  register(app);
  await app.ready();
  const document = app.swagger() as unknown as {
    paths: Record<string, Record<string, { responses: Record<string, Schema> }>>;
  };
  await app.close();
  return document;
}

describe('the OpenAPI document of a route', () => {
  it('adds the shared errors by what the route is: public, with a body, a POST', async () => {
    const document = await documentOf((app) => {
      app.get(
        '/open',
        { config: { public: true, rateLimit: false }, schema: { response: { 200: z.object({}) } } },
        async () => ({}),
      );
      app.post(
        '/things',
        {
          schema: {
            body: z.object({ a: z.string().max(3) }),
            response: { 201: z.object({}), 409: problemSchema },
          },
        },
        async () => ({}),
      );
    });
    expect(Object.keys(document.paths['/open']!.get!.responses)).toEqual(['200', '500']);
    expect(Object.keys(document.paths['/things']!.post!.responses)).toEqual([
      '201',
      '400',
      '401',
      '404',
      '408',
      '409',
      '410',
      '413',
      '415',
      '422',
      '429',
      '500',
      '503',
    ]);
    const created = document.paths['/things']!.post!.responses['201'] as { headers: Record<string, unknown> };
    expect(Object.keys(created.headers)).toContain('Idempotent-Replayed');
    // The 409 is shared by the operations that give it: a reference to the document's responses.
    const { $ref } = document.paths['/things']!.post!.responses['409'] as { $ref: string };
    const shared = (document as unknown as { components: { responses: Record<string, { headers: object }> } })
      .components.responses[$ref.split('/').at(-1)!]!;
    expect(Object.keys(shared.headers)).toContain('Retry-After');
  });

  it('documents 414 on a route with path parameters', async () => {
    const document = await documentOf((app) => {
      app.get(
        '/things/:id',
        { schema: { params: z.object({ id: z.uuid() }), response: { 200: z.object({}) } } },
        async () => ({}),
      );
    });
    expect(Object.keys(document.paths['/things/{id}']!.get!.responses)).toContain('414');
  });

  it('documents a route that answers text with the media type it produces', async () => {
    const document = await documentOf((app) => {
      app.get(
        '/metrics',
        {
          config: { public: true },
          schema: { produces: ['text/plain'], response: { 200: z.string().max(10) } },
        },
        async () => 'x',
      );
    });
    expect(Object.keys(document.paths['/metrics']!.get!.responses['200']!.content)).toEqual(['text/plain']);
  });
});
