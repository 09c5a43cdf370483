// auth.awsv4: keys from references, signed after resolution; the API re-computes the signature with the independent `aws4` package.
import aws4 from 'aws4';
import * as E from 'fp-ts/lib/Either.js';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { executeFetch } from '../../src/runtime/fetch-instruction.ts';
import { InstructionError } from '../../src/runtime/instruction-error.ts';
import { amzDate, awsScope } from '../../src/runtime/sigv4.ts';
import { START } from '../support/service.ts';
import { generated, makeFetchEnv } from '../support/msw-env.ts';
import { requestCounter, useMswServer } from '../support/msw-server.ts';

const server = useMswServer();

interface Creds {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** What an AWS endpoint does: take the signed headers as received and recompute the Authorization with aws4. */
const verify = async (request: Request, creds: Creds, region: string, service: string) => {
  const url = new URL(request.url);
  const received = request.headers.get('authorization') ?? '';
  const signed = (/SignedHeaders=([^,]+)/.exec(received)?.[1] ?? '').split(';');
  const headers: Record<string, string> = {};
  for (const h of signed) if (h !== 'host') headers[h] = request.headers.get(h) ?? '';
  const body = await request.text();
  const opts = aws4.sign(
    {
      host: url.host,
      path: url.pathname + url.search,
      method: request.method,
      service,
      region,
      headers,
      ...(body === '' ? {} : { body }),
      extraHeadersToIgnore: { 'content-type': true, 'content-length': true },
    } as aws4.Request,
    creds,
  );
  return { received, expected: (opts.headers as Record<string, string>)['Authorization'], scope: `${region}/${service}`, body };
};

const awsKeys = async (t: Awaited<ReturnType<typeof makeFetchEnv>>, withToken: boolean) => {
  const creds: Creds = {
    accessKeyId: `AKIA${generated('k').slice(2, 18).toUpperCase()}`,
    secretAccessKey: generated('s'),
    ...(withToken ? { sessionToken: `${generated('tok')}/+=` } : {}),
  };
  const refs = {
    accessKeyId: await t.secret('awsKeyId', creds.accessKeyId),
    secretAccessKey: await t.secret('awsSecret', creds.secretAccessKey),
    ...(creds.sessionToken === undefined ? {} : { sessionToken: await t.secret('awsToken', creds.sessionToken) }),
  };
  return { creds, refs };
};

describe('fetch with auth.awsv4', () => {
  it.each([false, true])('signs an SQS POST with keys from references, region and service from the host (session token: %s)', async (withToken) => {
    const t = await makeFetchEnv();
    const { creds, refs } = await awsKeys(t, withToken);
    let check: Awaited<ReturnType<typeof verify>> | undefined;
    let token: string | null = null;
    server.use(
      http.post('https://sqs.us-east-2.amazonaws.com/', async ({ request }) => {
        token = request.headers.get('x-amz-security-token');
        check = await verify(request, creds, 'us-east-2', 'sqs');
        return HttpResponse.json({ ok: true });
      }),
    );
    const out = await executeFetch(
      {
        url: 'https://sqs.us-east-2.amazonaws.com/',
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: { Action: 'ListQueues', Version: '2012-11-05' },
        auth: { awsv4: refs },
      },
      t.env,
      'do[0]',
    );
    expect(out).toEqual({ ok: true });
    expect(check?.received).toBe(check?.expected);
    expect(check?.received).toContain(`Credential=${creds.accessKeyId}/20261126/us-east-2/sqs/aws4_request`);
    expect(check?.body).toBe('Action=ListQueues&Version=2012-11-05');
    expect(token).toBe(creds.sessionToken ?? null);
    expect(t.masks.exact).toEqual(expect.arrayContaining([check!.received, creds.secretAccessKey]));
    if (creds.sessionToken !== undefined) expect(t.masks.exact).toEqual(expect.arrayContaining([creds.sessionToken, encodeURIComponent(creds.sessionToken)]));
    expect(t.masks.secrets).toEqual(expect.arrayContaining([creds.accessKeyId, creds.secretAccessKey]));
  });

  it('signs an S3 GET (region from s3.<region>.amazonaws.com, unsigned payload header)', async () => {
    const t = await makeFetchEnv();
    const { creds, refs } = await awsKeys(t, true);
    let check: Awaited<ReturnType<typeof verify>> | undefined;
    server.use(
      http.get('https://s3.eu-west-1.amazonaws.com/my-bucket/reports/2026.csv', async ({ request }) => {
        expect(request.headers.get('x-amz-content-sha256')).toBe('UNSIGNED-PAYLOAD');
        // The oracle is not vacuous: another key gives another signature.
        const wrong = await verify(request.clone(), { ...creds, secretAccessKey: generated('s') }, 'eu-west-1', 's3');
        expect(wrong.expected).not.toBe(wrong.received);
        check = await verify(request, creds, 'eu-west-1', 's3');
        return HttpResponse.text('a,b');
      }),
    );
    expect(await executeFetch({ url: 'https://s3.eu-west-1.amazonaws.com/my-bucket/reports/2026.csv', auth: { awsv4: refs } }, t.env, 'do[0]')).toBe('a,b');
    expect(check?.received).toBe(check?.expected);
  });

  it('signs an API Gateway call with a query (execute-api and its region from the host)', async () => {
    const t = await makeFetchEnv();
    const { creds, refs } = await awsKeys(t, false);
    let check: Awaited<ReturnType<typeof verify>> | undefined;
    server.use(
      http.get('https://abc123xyz.execute-api.ap-southeast-2.amazonaws.com/prod/items', async ({ request }) => {
        check = await verify(request, creds, 'ap-southeast-2', 'execute-api');
        return HttpResponse.json([]);
      }),
    );
    await executeFetch(
      { url: 'https://abc123xyz.execute-api.ap-southeast-2.amazonaws.com/prod/items', query: { b: '2 two', a: ['1', '0'] }, auth: { awsv4: refs } },
      t.env,
      'do[0]',
    );
    expect(check?.received).toBe(check?.expected);
    expect(check?.received).toContain('/ap-southeast-2/execute-api/aws4_request');
  });

  it('signs at the run clock\'s time', async () => {
    const t = await makeFetchEnv();
    const { refs } = await awsKeys(t, false);
    let date: string | null = null;
    server.use(http.get('https://sts.amazonaws.com/', ({ request }) => ((date = request.headers.get('x-amz-date')), HttpResponse.text('ok'))));
    await executeFetch({ url: 'https://sts.amazonaws.com/', query: { Action: 'GetCallerIdentity' }, auth: { awsv4: refs } }, t.env, 'do[0]');
    expect(date).toBe(amzDate(START));
  });

  it('a custom host needs explicit service and region: the error names the field and nothing is sent', async () => {
    const t = await makeFetchEnv();
    const { refs } = await awsKeys(t, false);
    const counter = requestCounter();
    server.use(http.all('https://minio.internal.example/*', ({ request }) => (counter.hit(request), HttpResponse.text('ok'))));
    const noService = (await executeFetch({ url: 'https://minio.internal.example/b/k', auth: { awsv4: refs } }, t.env, 'do[5]').catch((x: unknown) => x)) as InstructionError;
    expect(noService.code).toBe('invalid_parameter');
    expect(noService.message).toContain('do[5].fetch.auth.awsv4.service');
    const noRegion = (await executeFetch({ url: 'https://minio.internal.example/b/k', auth: { awsv4: { ...refs, service: 's3' } } }, t.env, 'do[5]').catch((x: unknown) => x)) as InstructionError;
    expect(noRegion.message).toContain('do[5].fetch.auth.awsv4.region');
    expect(counter.total()).toBe(0);
  });

  it('a custom host with explicit region and service (themselves references) is signed for them', async () => {
    const t = await makeFetchEnv();
    const { creds, refs } = await awsKeys(t, false);
    const region = await t.secret('region', 'us-west-2');
    let check: Awaited<ReturnType<typeof verify>> | undefined;
    server.use(http.put('https://minio.internal.example/b/k', async ({ request }) => ((check = await verify(request, creds, 'us-west-2', 's3')), new HttpResponse(null, { status: 200 }))));
    await executeFetch({ url: 'https://minio.internal.example/b/k', method: 'PUT', body: 'file contents', auth: { awsv4: { ...refs, region, service: 's3' } } }, t.env, 'do[0]');
    expect(check?.received).toBe(check?.expected);
  });
});

describe('awsScope inference', () => {
  const scope = (url: string, creds: Partial<{ region: string; service: string }> = {}) =>
    awsScope(new URL(url), new Headers(), { accessKeyId: 'a', secretAccessKey: 's', ...creds });

  it.each([
    ['https://s3.eu-west-1.amazonaws.com/b/k', 'eu-west-1', 's3'],
    ['https://my-bucket.s3.eu-central-1.amazonaws.com/k', 'eu-central-1', 's3'],
    ['https://sqs.us-east-2.amazonaws.com', 'us-east-2', 'sqs'],
    ['https://abc.execute-api.ap-south-1.amazonaws.com/prod', 'ap-south-1', 'execute-api'],
    ['https://dynamodb.us-west-2.amazonaws.com', 'us-west-2', 'dynamodb'],
    ['https://iam.amazonaws.com', 'us-east-1', 'iam'],
    ['https://fn123.lambda-url.eu-west-3.on.aws/', 'eu-west-3', 'lambda'],
  ])('%s -> %s / %s', (url, region, service) => {
    expect(scope(url)).toEqual(E.right({ region, service }));
  });

  it('explicit values win over the host', () => {
    expect(scope('https://sqs.us-east-2.amazonaws.com', { region: 'eu-north-1' })).toEqual(E.right({ region: 'eu-north-1', service: 'sqs' }));
  });

  it('an unknown host names the missing field', () => {
    expect(scope('https://api.example.com')).toEqual(E.left({ _tag: 'ScopeNotInferred', field: 'service' }));
    expect(scope('https://api.example.com', { service: 'execute-api' })).toEqual(E.left({ _tag: 'ScopeNotInferred', field: 'region' }));
  });
});
