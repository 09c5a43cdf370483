// AWS Signature Version 4 for a built request, with aws4fetch's signer; region and service inferred from AWS host names when absent.
import * as E from 'fp-ts/lib/Either.js';
import { AwsV4Signer } from 'aws4fetch';

export interface AwsV4Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly region?: string;
  readonly service?: string;
}

/** The parts of a request the signature covers. */
export interface SignableRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: string | undefined;
}

/** Region or service was neither given nor inferable from the host. */
export interface ScopeNotInferred {
  readonly _tag: 'ScopeNotInferred';
  readonly field: 'region' | 'service';
}

export interface AwsScope {
  readonly region: string;
  readonly service: string;
}

/** `YYYYMMDDTHHMMSSZ` for epoch milliseconds. */
export const amzDate = (epochMs: number): string => new Date(epochMs).toISOString().replace(/[:-]|\.\d{3}/g, '');

/**
 * Region and service: the given ones, else aws4fetch's guess from the host (`s3.eu-west-1.amazonaws.com`,
 * `sqs.us-east-2.amazonaws.com`, `<id>.execute-api.<region>.amazonaws.com`, `<id>.lambda-url.<region>.on.aws`, …;
 * a global endpoint such as `iam.amazonaws.com` signs for us-east-1). A host aws4fetch does not recognise needs both.
 */
export const awsScope = (url: URL, headers: Headers, creds: AwsV4Credentials): E.Either<ScopeNotInferred, AwsScope> => {
  if (creds.region !== undefined && creds.service !== undefined) return E.right({ region: creds.region, service: creds.service });
  // A probe signer only runs the constructor (no crypto): it exposes the guessed service and region.
  const probe = new AwsV4Signer({ url: url.href, headers, accessKeyId: '-', secretAccessKey: '-', datetime: '20000101T000000Z' });
  const recognised = probe.service !== '';
  if (creds.service === undefined && !recognised) return E.left({ _tag: 'ScopeNotInferred', field: 'service' });
  if (creds.region === undefined && !recognised) return E.left({ _tag: 'ScopeNotInferred', field: 'region' });
  return E.right({ region: creds.region ?? probe.region, service: creds.service ?? probe.service });
};

/** Signs at `epochMs`; returns the headers to send (the given ones plus Authorization, X-Amz-Date, X-Amz-Security-Token, …). */
export const signAwsV4 = async (req: SignableRequest, creds: AwsV4Credentials, epochMs: number): Promise<E.Either<ScopeNotInferred, Headers>> => {
  const scope = awsScope(req.url, req.headers, creds);
  if (E.isLeft(scope)) return scope;
  const signer = new AwsV4Signer({
    method: req.method,
    url: req.url.href,
    headers: req.headers,
    body: req.body ?? null,
    accessKeyId: creds.accessKeyId,
    secretAccessKey: creds.secretAccessKey,
    ...(creds.sessionToken === undefined ? {} : { sessionToken: creds.sessionToken }),
    region: scope.right.region,
    service: scope.right.service,
    datetime: amzDate(epochMs),
  });
  const signed = await signer.sign();
  return E.right(signed.headers);
};
