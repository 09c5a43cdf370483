// The standard template scope: run variables as top-level names, and the reserved roots config, user, run and secret.
import { getPath, SECRET_ROOT, type PathSegment } from './path.ts';
import type { TemplateScope } from './template.ts';

/** Roots that always mean the same thing; a variable with one of these names is shadowed. */
export const RESERVED_ROOTS: readonly string[] = ['config', 'user', 'run', SECRET_ROOT];

export interface TemplateScopeRoots {
  /** The run's variables: payload fields and step outputs, each a top-level name. */
  readonly variables: Readonly<Record<string, unknown>>;
  /** Workspace configuration (`{{config.x}}`). */
  readonly config?: unknown;
  /** The current user, e.g. `{ id }`; absent for schedule triggers. */
  readonly user?: unknown;
  /** Run facts, e.g. `{ correlationId, trigger, date }`. */
  readonly run?: unknown;
  /** Reference strings already minted for the names secretNamesIn found, by secret name. */
  readonly secrets?: ReadonlyMap<string, string>;
}

/** A scope over plain data; lookups go through getPath, so they never reach a prototype. */
export const makeTemplateScope = (roots: TemplateScopeRoots): TemplateScope => ({
  lookup: (root: string, rest: readonly PathSegment[]): unknown => {
    switch (root) {
      case 'config':
        return getPath(roots.config, rest);
      case 'user':
        return getPath(roots.user, rest);
      case 'run':
        return getPath(roots.run, rest);
      case SECRET_ROOT: {
        const name = rest[0];
        return rest.length === 1 && typeof name === 'string' ? roots.secrets?.get(name) : undefined;
      }
      default:
        return getPath(roots.variables, [root, ...rest]);
    }
  },
});
