// The storage contract against the memory adapter, the reference every other backend must match.
import { memoryStorage } from '../../../src/effects/storage/memory.ts';
import { storageContract } from '../../support/storage-contract.ts';

storageContract('memory', async () => memoryStorage(), async () => undefined, { modelRuns: 300 });
