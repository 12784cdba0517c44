import { createServer } from 'node:http';
import { afterAll, beforeAll } from 'vitest';

/**
 * A partner's web site on a loopback port of its own (so another origin than the service): it
 * serves the given files, by path, and 404 for anything else.
 */
export interface PartnerSite {
  /** http://127.0.0.1:<port>, the site's origin. */
  origin: string;
}

const types: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

export function usePartnerSite(files: Record<string, string>): PartnerSite {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://site').pathname;
    const body = files[path];
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    const name = path.split('/').pop() ?? '';
    const extension = name.includes('.') ? name.split('.').pop()! : 'html';
    response.writeHead(200, { 'content-type': types[extension] ?? 'application/octet-stream' }).end(body);
  });
  let origin: string | undefined;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('the partner site has no TCP address');
    origin = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    get origin() {
      if (!origin) throw new Error('the partner site starts in beforeAll');
      return origin;
    },
  };
}
