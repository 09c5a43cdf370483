// The service against its model on the memory store: expiry, isolation, user_required, revocation, growing versions.
import { describe, it } from 'vitest';
import { memoryStorage } from '../../src/effects/storage/memory.ts';
import { nodeCryptoPrimitives } from '../../src/effects/node/node-crypto.ts';
import { checkServiceAgainstModel, modelRuns } from '../support/service-model.ts';

describe('the secrets service against its model (memory store)', () => {
  it(`agrees with the model on ${modelRuns()} random sequences of set, get, delete, advance, resolve and list`, async () => {
    await checkServiceAgainstModel(async () => memoryStorage(), modelRuns());
  }, 600_000);

  it('agrees with the model with the node:crypto adapter too (300 sequences)', async () => {
    await checkServiceAgainstModel(async () => memoryStorage(), Math.max(1, Math.round(modelRuns() * 0.3)), undefined, nodeCryptoPrimitives);
  }, 600_000);
});
