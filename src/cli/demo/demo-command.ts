// `secretref demo`: the specification's complete OAuth example, as written, against loopback servers, then a verdict.
import { readFileSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { errorMessage } from '../../core/errors.ts';
import { parseAutomation } from '../../runtime/decode-automation.ts';
import { createRuntime } from '../../runtime/runtime.ts';
import { memorySinks } from '../../runtime/events.ts';
import type { RunContext } from '../../core/run-context.ts';
import type { Writer } from '../jsonl.ts';
import { CliExit, EXIT, openService, storeSpecOf } from '../open-service.ts';
import { describeStore } from '../store.ts';
import { routedFetch, startFakeServers } from './fake-servers.ts';
import { countLeaks, scanSqliteFiles } from './plaintext-scan.ts';

const EXAMPLE = new URL('./call-with-oauth.yaml', import.meta.url);

export const demoCommand = async (argv: readonly string[], env: NodeJS.ProcessEnv, io: { readonly stdout: Writer; readonly stderr: Writer }): Promise<number> => {
  if (argv.length > 0) throw new CliExit(EXIT.unusable, 'usage: secretref demo');
  const automation = parseAutomation(readFileSync(EXAMPLE, 'utf8'), 'call-with-oauth');
  if (E.isLeft(automation)) throw new CliExit(EXIT.failed, 'the bundled example does not decode');

  const storeSpec = storeSpecOf(env);
  const clientId = 'demo-client';
  const clientSecret = `cs-${randomBytes(24).toString('base64url')}`;
  const servers = await startFakeServers({ clientId, clientSecret });
  const { service, storage } = await openService(env, io.stderr, storeSpec);
  const sinks = memorySinks();
  try {
    const context: RunContext = { workspaceId: 'demo', correlationId: randomUUID(), trigger: 'manual', userId: 'demo-user' };
    const stored = await service.set(context, { name: 'clientSecret', value: clientSecret, scope: 'workspace' });
    if (E.isLeft(stored)) throw new CliExit(EXIT.failed, errorMessage(stored.left));

    const runtime = createRuntime({
      secrets: service,
      sinks,
      config: { clientId },
      fetch: routedFetch({ 'auth.example.com': servers.authOrigin, 'api.example.com': servers.apiOrigin }),
    });
    const result = await runtime.run(automation.right, { context });
    if (E.isLeft(result)) throw new CliExit(EXIT.failed, result.left.message);

    const eventLines = sinks.events.map((e) => JSON.stringify(e));
    const logLines = sinks.logs.map((l) => JSON.stringify(l));
    for (const l of eventLines) io.stdout.write(`${l}\n`);
    for (const l of logLines) io.stderr.write(`${l}\n`);

    const token = servers.issuedToken();
    const secrets = [clientSecret, ...(token ? [token] : [])];
    const store = describeStore(storeSpec);
    const storeScan =
      E.isRight(store) && store.right.kind === 'sqlite'
        ? { where: `sqlite ${store.right.where}`, ...scanSqliteFiles(store.right.where, secrets) }
        : undefined;
    const leaks = { events: countLeaks(eventLines, secrets), logs: countLeaks(logLines, secrets) };
    const pass =
      result.right.status === 'succeeded' &&
      servers.authReceivedCredentials() &&
      servers.apiReceivedToken() &&
      leaks.events === 0 &&
      leaks.logs === 0 &&
      (storeScan?.leaks ?? 0) === 0;
    const yes = (b: boolean) => (b ? 'yes' : 'NO');
    io.stdout.write(
      [
        '',
        'verdict',
        `  run of call-with-oauth:                   ${result.right.status}`,
        `  OAuth server received the client secret:  ${yes(servers.authReceivedCredentials())}`,
        `  API received the OAuth token:             ${yes(servers.apiReceivedToken())}`,
        `  plaintext in ${eventLines.length} events:                ${leaks.events === 0 ? 'none' : `FOUND in ${leaks.events}`}`,
        `  plaintext in ${logLines.length} log lines:             ${leaks.logs === 0 ? 'none' : `FOUND in ${leaks.logs}`}`,
        storeScan
          ? `  plaintext in the store (${storeScan.where}, ${storeScan.bytes} bytes): ${storeScan.leaks === 0 ? 'none' : 'FOUND'}`
          : `  plaintext in the store: not scanned (${E.isRight(store) ? store.right.kind : 'unknown'} store; values are sealed before they reach it)`,
        `  => ${pass ? 'PASS' : 'FAIL'}`,
        '',
      ].join('\n'),
    );
    return pass ? EXIT.ok : EXIT.failed;
  } finally {
    await storage.close();
    await servers.close();
  }
};
