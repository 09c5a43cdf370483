// The dependency rule, checked on the syntax tree: core is pure, imports point inward, the main entry stays web-standard.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const src = join(root, 'src');

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : [];
  });

const parse = (file: string) => ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);

const importsOf = (file: string): string[] => {
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier))
      out.push(n.moduleSpecifier.text);
    if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0]))
      out.push(n.arguments[0].text);
    ts.forEachChild(n, visit);
  };
  visit(parse(file));
  return out;
};

const LAYERS = ['core', 'effects', 'service', 'runtime', 'cli'] as const;
const layerOf = (file: string): number => {
  const rel = relative(src, file).split('/');
  return rel.length === 1 ? LAYERS.length : LAYERS.indexOf(rel[0] as (typeof LAYERS)[number]);
};

/** Globals that would make core impure: time, randomness, crypto, I/O, the host. */
const FORBIDDEN = new Set([
  'Date', 'crypto', 'fetch', 'process', 'Deno', 'globalThis', 'window', 'self', 'Buffer', 'require',
  'TextEncoder', 'TextDecoder', 'btoa', 'atob', 'setTimeout', 'setInterval', 'performance', 'console',
]);

const impurities = (file: string): string[] => {
  const found: string[] = [];
  const sf = parse(file);
  const visit = (n: ts.Node) => {
    if (ts.isIdentifier(n) && FORBIDDEN.has(n.text)) {
      const p = n.parent;
      const isMemberName = (ts.isPropertyAccessExpression(p) && p.name === n) || (ts.isPropertyAssignment(p) && p.name === n) || ts.isPropertySignature(p);
      if (!isMemberName) found.push(`${n.text} at line ${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`);
    }
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'Math' && n.name.text === 'random')
      found.push(`Math.random at line ${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
};

describe('architecture', () => {
  const files = filesUnder(src);

  it('src/core uses no clock, randomness, crypto, I/O or host globals', () => {
    const report = files.filter((f) => layerOf(f) === 0).flatMap((f) => impurities(f).map((i) => `${relative(root, f)}: ${i}`));
    expect(report).toEqual([]);
  });

  it('the purity check itself catches Date, Math.random and fetch', () => {
    const probe = join(root, 'spec/architecture/fixtures/impure.ts');
    expect(impurities(probe)).toEqual(['Date at line 2', 'Math.random at line 3', 'fetch at line 4']);
  });

  it('imports point inward: core <- effects <- service <- runtime <- cli', () => {
    const report: string[] = [];
    for (const f of files) {
      for (const spec of importsOf(f)) {
        if (!spec.startsWith('.')) continue;
        const target = resolve(dirname(f), spec);
        if (layerOf(target) > layerOf(f)) report.push(`${relative(root, f)} imports ${relative(root, target)}`);
      }
    }
    expect(report).toEqual([]);
  });

  it('src/core imports only core files, fp-ts and io-ts', () => {
    const report = files
      .filter((f) => layerOf(f) === 0)
      .flatMap((f) => importsOf(f).filter((s) => !s.startsWith('./') && !/^(fp-ts|io-ts)(\/|$)/.test(s)).map((s) => `${relative(root, f)}: ${s}`));
    expect(report).toEqual([]);
  });

  it('the main entry reaches no Node-only module (it must run on Deno and in browsers)', () => {
    const seen = new Set<string>();
    const bad: string[] = [];
    const walk = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of importsOf(file)) {
        if (spec.startsWith('.')) walk(resolve(dirname(file), spec));
        else if (/^(node:|better-sqlite3|postgres$)/.test(spec)) bad.push(`${relative(root, file)}: ${spec}`);
      }
    };
    walk(join(src, 'mod.ts'));
    expect(seen.size).toBeGreaterThan(10);
    expect(bad).toEqual([]);
  });
});
