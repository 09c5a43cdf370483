// Errors as data: stable codes, the offending field, and never a secret value.
import type { FieldProblem } from './report.ts';

/** A parameter of set/get/delete, a run context or a configuration that does not validate. */
export interface InvalidInput {
  readonly _tag: 'InvalidInput';
  readonly code: 'invalid_parameter';
  readonly problems: readonly FieldProblem[];
}

/** The storage backend failed or is unreachable. Its message comes from the adapter and holds no value. */
export interface StorageFailure {
  readonly _tag: 'StorageFailure';
  readonly code: 'storage_unavailable';
  readonly message: string;
}

/** A compare-and-set lost against a concurrent writer. */
export interface VersionConflict {
  readonly _tag: 'VersionConflict';
  readonly code: 'version_conflict';
  readonly expected: number;
  readonly actual: number;
}

/** Key material is missing, malformed or does not open what the store holds. */
export interface KeyFailure {
  readonly _tag: 'KeyFailure';
  readonly code: 'unknown_key' | 'wrong_master_key' | 'decrypt_failed' | 'invalid_key_config';
  readonly message: string;
}

export type SecretsError = InvalidInput | StorageFailure | VersionConflict | KeyFailure;

export const invalidInput = (problems: readonly FieldProblem[]): InvalidInput => ({
  _tag: 'InvalidInput',
  code: 'invalid_parameter',
  problems,
});

export const invalidField = (path: string, expected: string): InvalidInput => invalidInput([{ path, expected }]);

export const storageFailure = (message: string): StorageFailure => ({ _tag: 'StorageFailure', code: 'storage_unavailable', message });

export const versionConflict = (expected: number, actual: number): VersionConflict => ({
  _tag: 'VersionConflict',
  code: 'version_conflict',
  expected,
  actual,
});

export const keyFailure = (code: KeyFailure['code'], message: string): KeyFailure => ({ _tag: 'KeyFailure', code, message });

/** A one-line message for any error, safe to log. */
export const errorMessage = (e: SecretsError): string => {
  switch (e._tag) {
    case 'InvalidInput':
      return `invalid parameter: ${e.problems.map((p) => `${p.path || '(root)'}: ${p.expected}`).join('; ')}`;
    case 'StorageFailure':
      return `storage unavailable: ${e.message}`;
    case 'VersionConflict':
      return `version conflict: expected version ${e.expected}, found ${e.actual}`;
    case 'KeyFailure':
      return e.message;
  }
};
