// The demo's fake OAuth server and API, real HTTP on loopback: they check what they receive and remember it.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface FakeServers {
  readonly authOrigin: string;
  readonly apiOrigin: string;
  /** The token the OAuth server issued (to check the API received it, and to scan for it). */
  issuedToken(): string | undefined;
  /** Whether the API saw `Authorization: Bearer <issued token>`. */
  apiReceivedToken(): boolean;
  /** Whether the OAuth server saw the right client id and secret. */
  authReceivedCredentials(): boolean;
  close(): Promise<void>;
}

const body = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const listen = (server: Server): Promise<string> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });

export const startFakeServers = async (expected: { readonly clientId: string; readonly clientSecret: string }): Promise<FakeServers> => {
  let token: string | undefined;
  let apiOk = false;
  let authOk = false;

  const auth = createServer(async (req, res) => {
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.method !== 'POST' || req.url !== '/oauth/token') return send(404, { error: 'not_found' });
    let form: Record<string, unknown> = {};
    try {
      form = JSON.parse(await body(req)) as Record<string, unknown>;
    } catch {
      return send(400, { error: 'invalid_request' });
    }
    if (form['grant_type'] !== 'client_credentials' || form['client_id'] !== expected.clientId || form['client_secret'] !== expected.clientSecret)
      return send(401, { error: 'invalid_client' });
    authOk = true;
    token = `at-${randomBytes(24).toString('base64url')}`;
    send(200, { access_token: token, token_type: 'Bearer', expires_in: 3600 });
  });

  const api = createServer((req, res) => {
    const ok = token !== undefined && req.headers.authorization === `Bearer ${token}`;
    if (ok) apiOk = true;
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok ? { resources: [{ id: 1, name: 'first' }, { id: 2, name: 'second' }] } : { error: 'unauthorized' }));
  });

  const [authOrigin, apiOrigin] = await Promise.all([listen(auth), listen(api)]);
  return {
    authOrigin,
    apiOrigin,
    issuedToken: () => token,
    apiReceivedToken: () => apiOk,
    authReceivedCredentials: () => authOk,
    close: async () => {
      await Promise.all([auth, api].map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
};

/**
 * A fetch port that sends requests for the example hosts of the specification to the loopback
 * servers (like curl --resolve): the automation runs exactly as written.
 */
export const routedFetch =
  (routes: Readonly<Record<string, string>>) =>
  async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const origin = routes[url.hostname];
    if (!origin) throw new TypeError(`the demo routes only ${Object.keys(routes).join(', ')}`);
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    return globalThis.fetch(`${origin}${url.pathname}${url.search}`, {
      method: request.method,
      headers: request.headers,
      redirect: 'manual',
      ...(hasBody ? { body: await request.arrayBuffer() } : {}),
    });
  };
