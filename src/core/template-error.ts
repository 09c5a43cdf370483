// Template errors as data: a stable code, where in the text (0-based position) and in the value, never the text itself.
import type { PathSegment } from './path.ts';

// ---------------------------------------------------------------------------------------------
// model

export type TemplateErrorCode =
  /** `{{` with no closing `}}`. */
  | 'unterminated_template'
  /** A quoted key (`a["k`) with no closing quote. */
  | 'unterminated_string'
  /** A backslash escape other than \\ \' \" \/ \b \f \n \r \t \uXXXX. */
  | 'invalid_escape'
  /** Anything else wrong between `{{` and `}}`. */
  | 'malformed_path'
  /** `{{secret}}`, `{{secret[0]}}` or `{{secret[""]}}`: a secret needs a name. */
  | 'missing_secret_name'
  /** A value inserted into text that JSON cannot print (a bigint, a cycle). */
  | 'unprintable_value'
  /** The template value contains itself. */
  | 'cyclic_value';

/**
 * Why a template does not render. `position` is the 0-based offset in the string where the
 * problem is; `at` is where that string sits inside the template value (empty for a top-level
 * string), so the runtime can prefix its own YAML path. The message never quotes the text.
 */
export interface TemplateError {
  readonly _tag: 'TemplateError';
  readonly code: TemplateErrorCode;
  readonly message: string;
  readonly position: number;
  readonly at: readonly PathSegment[];
}

// ---------------------------------------------------------------------------------------------
// constructors

export const templateError = (code: TemplateErrorCode, problem: string, position: number): TemplateError => ({
  _tag: 'TemplateError',
  code,
  message: `${problem} at position ${position}`,
  position,
  at: [],
});
