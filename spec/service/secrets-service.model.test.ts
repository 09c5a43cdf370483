// The service against its model on the memory store: expiry, isolation, user_required, revocation, growing versions.
import { describe, it } from 'vitest';
import { memoryStorage } from '../../src/effects/storage/memory.ts';
import { checkServiceAgainstModel, modelRuns } from '../support/service-model.ts';

describe('the secrets service against its model (memory store)', () => {
  it(`agrees with the model on ${modelRuns()} random sequences of set, get, delete, advance and resolve`, async () => {
    await checkServiceAgainstModel(async () => memoryStorage(), modelRuns());
  }, 600_000);
});
