// The automation language as a typed tree: one node per instruction, each carrying its YAML path for errors.
import type { Expr } from '../core/expression.ts';

/** What an instruction error does to the run: fail it (default), become the output, or emit `error` and go on. */
export type OnError = 'break' | 'continue' | 'emit';

/** Templated values stay as written (any YAML value) until the step runs. */
export type Templated = unknown;

export interface BasicAuth {
  readonly username: Templated;
  readonly password: Templated;
}
export interface AwsV4Auth {
  readonly accessKeyId: Templated;
  readonly secretAccessKey: Templated;
  readonly sessionToken?: Templated;
  readonly region?: Templated;
  readonly service?: Templated;
}

export interface FetchInstruction {
  readonly url: Templated;
  readonly method?: Templated;
  readonly headers?: Templated;
  readonly query?: Templated;
  readonly body?: Templated;
  readonly auth?: { readonly basic?: BasicAuth; readonly awsv4?: AwsV4Auth };
  readonly outputMode: 'body' | 'detailed_response';
  readonly emitErrors: boolean;
  readonly output?: string;
  readonly onError: OnError;
}

export interface RunInstruction {
  readonly module: string;
  readonly function: string;
  readonly parameters?: Templated;
  readonly output?: string;
  readonly onError: OnError;
}

export interface EmitInstruction {
  readonly event: Templated;
  readonly payload?: Templated;
}

export interface ConditionBranch {
  /** The key as written, e.g. `{{result.error}}`. */
  readonly source: string;
  readonly expression: Expr;
  readonly do: readonly Step[];
}
export interface ConditionsInstruction {
  readonly branches: readonly ConditionBranch[];
  readonly default?: readonly Step[];
}

export interface SetInstruction {
  /** A variable name or a dotted path into one (`a.b.c`). */
  readonly name: string;
  readonly value: Templated;
}

export interface RepeatInstruction {
  /** Iterate over a list (templated); each item is bound to `as` (default `item`) and its index to `index`. */
  readonly on?: Templated;
  /** Or repeat the body: a number is a count of passes; a condition stops the loop once it holds (checked after each pass). */
  readonly until?: Expr | number;
  readonly as: string;
  readonly max: number;
  readonly do: readonly Step[];
}

export interface TryInstruction {
  readonly do: readonly Step[];
  /** Runs on error, with the error object bound to `error`. */
  readonly catch?: readonly Step[];
  readonly finally?: readonly Step[];
}

/** A call of another automation of the workspace, written with its slug as the instruction name. */
export interface CallInstruction {
  readonly slug: string;
  readonly payload?: Templated;
  readonly output?: string;
  readonly onError: OnError;
}

interface At {
  /** YAML path of the step, e.g. `do[2]`. */
  readonly path: string;
}
export type Step =
  | (At & { readonly kind: 'fetch'; readonly fetch: FetchInstruction })
  | (At & { readonly kind: 'run'; readonly run: RunInstruction })
  | (At & { readonly kind: 'emit'; readonly emit: EmitInstruction })
  | (At & { readonly kind: 'conditions'; readonly conditions: ConditionsInstruction })
  | (At & { readonly kind: 'set'; readonly set: SetInstruction })
  | (At & { readonly kind: 'repeat'; readonly repeat: RepeatInstruction })
  | (At & { readonly kind: 'try'; readonly try: TryInstruction })
  | (At & { readonly kind: 'call'; readonly call: CallInstruction });

export type StepKind = Step['kind'];
/** Instruction names; any other single key is a call of the automation with that slug. */
export const INSTRUCTIONS: readonly StepKind[] = ['fetch', 'run', 'emit', 'conditions', 'set', 'repeat', 'try'];

export interface Automation {
  readonly slug: string;
  readonly name?: string;
  readonly do: readonly Step[];
  /** The automation's output, rendered when it ends (templated). */
  readonly output?: Templated;
}
