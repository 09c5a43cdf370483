// A runtime module: named functions that `run` steps call with rendered parameters.
import type { RunEnv } from '../run-env.ts';

export type ModuleFunction = (env: RunEnv, parameters: unknown, path: string) => Promise<unknown>;
export type RuntimeModule = Readonly<Record<string, ModuleFunction>>;
