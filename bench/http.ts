/** A minimal keep-alive HTTP client (node:http): the least client overhead on a shared 2-core box. */
import { Agent, request as httpRequest } from 'node:http';

export interface Answer {
  status: number;
  body: string;
  ms: number;
}

export interface RequestOptions {
  /** A body read from a file goes as the bytes it is: decoding it to a string and encoding it back costs the shared cores. */
  body?: string | Buffer;
  headers?: Record<string, string>;
  agent?: Agent;
  timeoutMs?: number;
}

const defaultAgent = new Agent({ keepAlive: true, maxSockets: 16 });

export function keepAliveAgent(sockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
}

export function request(
  baseUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${baseUrl}${path}`,
      {
        method,
        agent: options.agent ?? defaultAgent,
        headers: {
          ...(options.body !== undefined && { 'content-length': Buffer.byteLength(options.body) }),
          ...options.headers,
        },
        timeout: options.timeoutMs ?? 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/** An admin-authenticated JSON client for one service. */
export function apiClient(baseUrl: string, adminKey: string) {
  const auth = { authorization: `Bearer ${adminKey}` };
  return {
    get: (path: string, agent?: Agent) =>
      request(baseUrl, 'GET', path, { headers: auth, ...(agent && { agent }) }),
    postJson: (path: string, body: unknown, agent?: Agent) =>
      request(baseUrl, 'POST', path, {
        body: JSON.stringify(body),
        headers: { ...auth, 'content-type': 'application/json' },
        ...(agent && { agent }),
      }),
    postNdjson: (path: string, body: string | Buffer) =>
      request(baseUrl, 'POST', path, {
        body,
        headers: { ...auth, 'content-type': 'application/x-ndjson' },
        timeoutMs: 600_000,
      }),
  };
}

export type ApiClient = ReturnType<typeof apiClient>;

export function expectStatus(answer: Answer, status: number, what: string): void {
  if (answer.status !== status) {
    throw new Error(`${what}: expected HTTP ${status}, got ${answer.status}: ${answer.body.slice(0, 500)}`);
  }
}
