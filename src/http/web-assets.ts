import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

/** The page and the bundles may load only themselves: no inline script or style, no third party. */
export const webContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const types = {
  js: 'text/javascript; charset=utf-8',
  map: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
} as const;

/**
 * Every file served, by URL: a fixed list, so no request path ever reaches the file system.
 * `embeddable` files may be loaded by a partner's page on another origin (the components).
 */
const assets: Record<string, { file: string; type: keyof typeof types; embeddable?: boolean }> = {
  '/components/mutualfit.js': { file: 'dist/mutualfit.js', type: 'js', embeddable: true },
  '/components/mutualfit.js.map': { file: 'dist/mutualfit.js.map', type: 'map', embeddable: true },
  '/app/': { file: 'app/index.html', type: 'html' },
  '/app/app.js': { file: 'dist/app.js', type: 'js' },
  '/app/app.js.map': { file: 'dist/app.js.map', type: 'map' },
  '/app/app.css': { file: 'app/app.css', type: 'css' },
};

interface Loaded {
  mtimeMs: number;
  body: Buffer;
  etag: string;
}

export const defaultWebRoot = fileURLToPath(new URL('../../web/', import.meta.url));

/**
 * Serves the partner frontend built from web/ (scripts/build-web.ts): the components bundle at
 * /components/mutualfit.js and the reference app at /app/. Each file is read once and again only
 * when it changes on disk; answers carry a strong ETag (304 on a match) and must be revalidated,
 * since the URLs do not change with the content.
 */
export const webAssets: FastifyPluginAsync<{ root?: string }> = async (app, { root = defaultWebRoot }) => {
  const cache = new Map<string, Loaded>();

  async function load(file: string): Promise<Loaded> {
    const path = join(root, file);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile())
      throw new AppError(
        'not_ready',
        `The partner frontend is not built (${file} is missing); run npm run build:web.`,
      );
    const cached = cache.get(file);
    if (cached && cached.mtimeMs === info.mtimeMs) return cached;
    const body = await readFile(path);
    const loaded = {
      mtimeMs: info.mtimeMs,
      body,
      etag: `"${createHash('sha256').update(body).digest('base64url')}"`,
    };
    cache.set(file, loaded);
    return loaded;
  }

  for (const [url, asset] of Object.entries(assets)) {
    app.get(
      url,
      { config: { public: true }, schema: { hide: true } },
      async (request: FastifyRequest, reply: FastifyReply) => {
        const { body, etag } = await load(asset.file);
        reply
          .header('content-type', types[asset.type])
          .header('etag', etag)
          .header('cache-control', 'no-cache')
          // Replaces the API-wide policy helmet set: this one lets the page load its own script and styles.
          .header('content-security-policy', webContentSecurityPolicy)
          // As frame-ancestors 'none' says, for browsers that read only this header.
          .header('x-frame-options', 'DENY')
          .header('x-content-type-options', 'nosniff');
        if (asset.embeddable) {
          // A partner's page loads the module cross-origin (module scripts are fetched with CORS);
          // it carries no credentials and no data, so any origin may have it.
          reply
            .header('cross-origin-resource-policy', 'cross-origin')
            .header('access-control-allow-origin', '*');
        }
        if (request.headers['if-none-match'] === etag) return reply.code(304).send();
        return reply.send(body);
      },
    );
  }
};
