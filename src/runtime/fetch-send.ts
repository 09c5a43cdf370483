// Sending with redirects followed by hand: same origin keeps the request, another origin is refused when it carries a secret.
import type { AuthParts } from '../core/request-resolution.ts';
import { buildRequest, type Hop } from './fetch-request.ts';
import { firstRefused, hostLabel, hostNotAllowed, reportedHost, type CarriedSecret } from './fetch-resolve.ts';
import { InstructionError } from './instruction-error.ts';
import type { RunEnv } from './run-env.ts';

export const MAX_REDIRECTS = 10;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers a browser drops when a redirect leaves the origin. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-amz-security-token'];

export interface SendPlan {
  readonly first: Hop;
  readonly auth: AuthParts | undefined;
  readonly secrets: readonly CarriedSecret[];
  /** The first URL's host came from a secret value: messages and details do not name it. */
  readonly secretHost: boolean;
}

export interface Sent {
  readonly response: Response;
  /** The URL that answered (after redirects). */
  readonly url: URL;
}

/** The next request of a redirect (fetch standard §4.4): 303 becomes GET without body, as do 301/302 after a POST; 307/308 keep both. */
const redirected = (hop: Hop, status: number, url: URL): Hop => {
  const toGet = (status === 303 && hop.method !== 'GET' && hop.method !== 'HEAD') || ((status === 301 || status === 302) && hop.method === 'POST');
  if (!toGet) return { ...hop, url };
  const headers = new Headers(hop.headers);
  for (const h of ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']) headers.delete(h);
  return { url, method: 'GET', headers, body: undefined };
};

/**
 * Sends the plan with `redirect: 'manual'`, following at most MAX_REDIRECTS by hand. Before every hop
 * the destination is checked against each carried secret's allow-list. A redirect to another origin is
 * refused (`redirect_refused`, nothing more is sent) when the request carries a secret; otherwise it is
 * followed without credentials. Network failures become `fetch_network_error` naming the host only — and not
 * even that when it came from a secret value (`secretHost`: a request carrying a secret never leaves that origin,
 * so every hop has the secret host).
 */
export const send = async (plan: SendPlan, env: RunEnv, path: string): Promise<Sent> => {
  let hop = plan.first;
  let auth = plan.auth;
  const carries = plan.secrets.length > 0;
  const secretHost = plan.secretHost;
  for (let redirects = 0; ; redirects++) {
    const blocked = firstRefused(plan.secrets, hop.url);
    if (blocked !== undefined) throw hostNotAllowed(path, blocked, hop.url, secretHost);
    const name = hostLabel(hop.url, secretHost);
    const host = reportedHost(hop.url, secretHost);
    let request: Request;
    try {
      request = await buildRequest(hop, auth, env.masks, env.clock.now(), path, secretHost);
    } catch (e) {
      // The platform's messages quote header values, which may hold a resolved secret: never pass them on.
      if (e instanceof InstructionError) throw e;
      throw new InstructionError('invalid_parameter', `${path}.fetch: a header or credential holds a character an HTTP header cannot carry; the request was not sent`, path);
    }
    let response: Response;
    try {
      response = await env.fetch()(request);
    } catch (e) {
      const cause = (e as { cause?: { code?: unknown } } | undefined)?.cause?.code;
      throw new InstructionError('fetch_network_error', `network error: the request to ${name} failed before a response`, path, {
        host,
        ...(typeof cause === 'string' ? { cause } : {}),
      });
    }
    if (response.type === 'opaqueredirect')
      throw new InstructionError('redirect_refused', `${name} answered with a redirect this runtime cannot inspect`, path, { host });
    const location = response.headers.get('location');
    if (!REDIRECTS.has(response.status) || location === null) return { response, url: hop.url };
    // Not awaited, for the same reason as in fetch-response: a cancel may settle only when the remote end lets it.
    response.body?.cancel().catch(() => undefined);
    if (redirects === MAX_REDIRECTS)
      throw new InstructionError('too_many_redirects', `more than ${MAX_REDIRECTS} redirects from ${hostLabel(plan.first.url, secretHost)}`, path, {
        host: reportedHost(plan.first.url, secretHost),
      });
    let next: URL;
    try {
      next = new URL(location, hop.url);
    } catch {
      throw new InstructionError('redirect_invalid', `${name} redirected to an invalid location`, path, { host });
    }
    if (next.protocol !== 'https:' && next.protocol !== 'http:')
      throw new InstructionError('redirect_invalid', `${name} redirected to a non-HTTP location`, path, { host });
    if (next.origin !== hop.url.origin) {
      if (carries) {
        // Another scheme or port of the secret host is still that host: not named either.
        const location = secretHost && next.hostname === hop.url.hostname ? null : next.hostname;
        throw new InstructionError(
          'redirect_refused',
          `${name} redirected to another origin${location === null ? '' : ` (${location})`}; a request carrying a secret does not follow it, and it was not sent there`,
          path,
          { host, location, status: response.status },
        );
      }
      const headers = new Headers(hop.headers);
      for (const h of CREDENTIAL_HEADERS) headers.delete(h);
      hop = { ...hop, headers };
      auth = undefined;
    }
    hop = redirected(hop, response.status, next);
  }
};
