// The fetch instruction: validate the rendered fields, resolve references fail-closed, send with guarded redirects, return the redacted output.
import { valueAsText } from '../core/request-fields.ts';
import { urlForms } from '../core/url-text.ts';
import { EVENT } from './events.ts';
import { firstHop } from './fetch-request.ts';
import { hostLabel, reportedHost, resolveRequest, SECRET_HOST, type ResolvedRequest } from './fetch-resolve.ts';
import { MAX_RESPONSE_BYTES, readResponse, ResponseTooLarge, type ReadResponse } from './fetch-response.ts';
import { send } from './fetch-send.ts';
import { readRequest, type RenderedFetch } from './fetch-validate.ts';
import { InstructionError } from './instruction-error.ts';
import { makeReferenceResolver, type ReferenceResolver } from './reference-resolver.ts';
import type { RunEnv } from './run-env.ts';

export type { RenderedFetch } from './fetch-validate.ts';

/** A run environment, optionally with the run's resolver (one per run, so its warm cache spans the run's fetches). */
export type FetchEnv = RunEnv & { readonly resolver?: ReferenceResolver };

const resolvers = new WeakMap<RunEnv, ReferenceResolver>();

/** The run's resolver: `env.resolver` when given, else one made once per env object. */
export const runResolver = (env: FetchEnv): ReferenceResolver => {
  if (env.resolver !== undefined) return env.resolver;
  let r = resolvers.get(env);
  if (r === undefined) {
    r = makeReferenceResolver(env.secrets, env.ctx);
    resolvers.set(env, r);
  }
  return r;
};

/** The request as written (references, never values), for `runtime.fetch.failed`. */
const asWritten = (instr: RenderedFetch, method: string) => ({
  url: instr.url,
  method,
  headers: instr.headers ?? {},
  query: instr.query ?? {},
  ...(instr.body === undefined || instr.body === null ? {} : { body: instr.body }),
});

/** Registers the URL-level strings derived from secrets: the encoded URL, its query string, each value as a form-encoded component. */
const maskUrl = (env: RunEnv, url: URL, resolved: ResolvedRequest): void => {
  if (!resolved.secretIn.url && !resolved.secretIn.query) return;
  env.masks.addExact(url.href);
  if (url.search.length > 1) env.masks.addExact(url.search.slice(1));
  for (const v of resolved.values) {
    const text = valueAsText(v);
    const form = new URLSearchParams([['', text]]).toString().slice(1);
    if (form !== text) env.masks.addExact(form);
    for (const component of urlForms(text)) if (component !== form) env.masks.addExact(component);
  }
};

/**
 * Runs one fetch instruction (already templated) and returns its output, redacted: the parsed body, or
 * `{ status, headers, body }` with `outputMode: detailed_response`. A 4xx/5xx emits `runtime.fetch.failed`
 * and still returns (emitErrors, the default) or throws `fetch_failed` (emitErrors: false).
 */
export const executeFetch = async (instr: RenderedFetch, env: FetchEnv, path: string): Promise<unknown> => {
  const written = readRequest(instr, path);
  const resolved = await resolveRequest(written, env, runResolver(env), path);
  const first = firstHop(resolved.request, path);
  maskUrl(env, first.url, resolved);
  if (resolved.secretIn.body && first.body !== undefined) env.masks.addExact(first.body);

  const started = env.clock.now();
  const { response, url } = await send({ first, auth: resolved.request.auth, secrets: resolved.secrets, secretHost: resolved.secretHost }, env, path);
  // A host that came from a secret value is never named: a phrase in messages, null in logs and details.
  const host = hostLabel(url, resolved.secretHost);
  const hostField = reportedHost(url, resolved.secretHost);
  let read: ReadResponse;
  try {
    read = await readResponse(response);
  } catch (e) {
    if (e instanceof ResponseTooLarge)
      throw new InstructionError('fetch_response_too_large', `the response from ${host} is larger than ${MAX_RESPONSE_BYTES} bytes`, path, { host: hostField });
    throw new InstructionError('fetch_network_error', `network error: the response from ${host} broke off`, path, { host: hostField });
  }
  env.output.log('info', `fetch ${first.method} ${hostField ?? `(${SECRET_HOST})`} ${read.status}`, {
    method: first.method,
    host: hostField,
    status: read.status,
    durationMs: env.clock.now() - started,
  });

  if (read.status >= 400) {
    if (instr.emitErrors === false) throw new InstructionError('fetch_failed', `HTTP ${read.status} from ${host}`, path, { status: read.status });
    env.output.emit(EVENT.fetchFailed, { request: asWritten(instr, written.method), response: env.masks.redact(read) });
  }
  return env.masks.redact(instr.outputMode === 'detailed_response' ? read : read.body);
};
