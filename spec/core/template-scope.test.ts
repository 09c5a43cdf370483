// The standard scope: variables as top-level names, reserved roots that cannot be shadowed, secrets as minted references.
import { describe, expect, test } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { makeTemplateScope } from '../../src/core/template-scope.ts';
import { renderTemplate } from '../../src/core/template.ts';

const scope = makeTemplateScope({
  variables: { payload: { id: 7 }, authResponse: { access_token: 'tok' }, config: 'shadowed', secret: 'shadowed' },
  config: { clientId: 'cid' },
  user: { id: 'u1' },
  run: { correlationId: 'c1', trigger: 'manual', date: '2024-01-01T00:00:00.000Z' },
  secrets: new Map([['clientSecret', '$secret:v1.kid.AAAA']]),
});

describe('makeTemplateScope', () => {
  test('variables are top-level names', () => {
    expect(renderTemplate('{{payload.id}} {{authResponse.access_token}}', scope)).toEqual(E.right('7 tok'));
  });

  test('config, user and run are reserved roots', () => {
    expect(renderTemplate(['{{config.clientId}}', '{{user.id}}', '{{run.trigger}}', '{{run.correlationId}}'], scope)).toEqual(
      E.right(['cid', 'u1', 'manual', 'c1']),
    );
  });

  test('secret.NAME yields the reference string passed in, never anything else', () => {
    expect(renderTemplate('Bearer {{secret.clientSecret}}', scope)).toEqual(E.right('Bearer $secret:v1.kid.AAAA'));
    expect(renderTemplate('{{secret.unknown}}', scope)).toEqual(E.right(undefined));
  });

  test('a missing user (schedule trigger) is undefined', () => {
    const s = makeTemplateScope({ variables: {} });
    expect(renderTemplate('{{user.id}}', s)).toEqual(E.right(undefined));
  });

  test('variables named like prototype members are not reached', () => {
    expect(renderTemplate('{{constructor}}|{{toString}}|{{__proto__}}', scope)).toEqual(E.right('||'));
  });
});
