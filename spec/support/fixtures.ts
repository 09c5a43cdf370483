// Loads the specification's own YAML examples, kept verbatim under spec/fixtures/spec-examples.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const dir = fileURLToPath(new URL('../fixtures/spec-examples/', import.meta.url));

export const specExampleText = (name: string): string => readFileSync(`${dir}${name}.yaml`, 'utf8');

/** The parameters of the single `run` step of a spec example (set.yaml, get.yaml, delete.yaml). */
export const specParameters = (name: 'set' | 'get' | 'delete'): Record<string, unknown> => {
  const steps = parse(specExampleText(name)) as { run: { parameters: Record<string, unknown> } }[];
  return { ...steps[0]!.run.parameters };
};
