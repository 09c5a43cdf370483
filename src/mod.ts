// The main entry of secretref: web-standard parts only (runs unchanged on Node and Deno); Node-only adapters live under src/effects/node.
export { openSecrets, type OpenSecretsOptions } from './service/open.ts';
export { openSecretsService, type SecretsService, type SecretsServiceOptions, type Resolved } from './service/secrets-service.ts';
export * from './service/outcomes.ts';
export { makeKeyring, type Keyring, type KeyringConfig, type DataKey } from './effects/crypto/keyring.ts';
export type { AesKey, CryptoPrimitives } from './effects/crypto/primitives.ts';
export { webCryptoPrimitives } from './effects/crypto/webcrypto.ts';
export { memoryStorage } from './effects/storage/memory.ts';
export type { StoragePort, DataKeyRecord, StorageResult } from './effects/storage/port.ts';
export { systemClock, manualClock, type Clock, type ManualClock } from './effects/clock.ts';
export { parseKeySet, decodeKeySet, type KeySet, type KeyEntry } from './core/key-config.ts';
export { decodeRunContext, type RunContext, type Trigger } from './core/run-context.ts';
export type { Scope, SecretIdentity } from './core/scope.ts';
export type { JsonValue } from './core/json-value.ts';
export type { StoredSecret, SecretMetadata, ReadResult, ListQuery } from './core/store.ts';
export { errorMessage, type SecretsError, type InvalidInput, type StorageFailure, type VersionConflict, type KeyFailure } from './core/errors.ts';
export { REFERENCE_IN_TEXT, REFERENCE_PREFIX, DEFAULT_REFERENCE_TTL_SECONDS, type ResolveFailure, type ResolveFailureCode } from './core/reference.ts';
export { MAX_VALUE_BYTES, MAX_NAME_LENGTH, MAX_TTL_SECONDS } from './core/params.ts';
// The reference runtime: automations as the specification writes them, fetch with resolution, one redaction boundary.
export { createRuntime, type Runtime, type RuntimeOptions, type RunRequest, type RunResult, type RunRefused } from './runtime/runtime.ts';
export { parseAutomation, decodeAutomation, type AutomationInvalid } from './runtime/decode-automation.ts';
export { EVENT, memorySinks, type RuntimeEvent, type LogRecord, type LogLevel, type Sinks } from './runtime/events.ts';
export { makeReferenceResolver, type ReferenceResolver, type ResolutionFailure } from './runtime/reference-resolver.ts';
export { createRedactor, safeRedact, REDACTED, type Redactor, type RedactorOptions, type AddResult } from './core/redactor.ts';
