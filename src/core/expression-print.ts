// Printing a condition AST back to text that parseExpression reads as the same AST, with minimal parentheses.
import { printPath } from './path.ts';
import type { Expr, LiteralValue } from './expression.ts';

const printLiteral = (value: LiteralValue): string =>
  typeof value === 'string' ? JSON.stringify(value) : typeof value === 'number' && Object.is(value, -0) ? '-0' : String(value);

/** Binding strength: the loosest operator a node's text contains at its top level. */
const rank = (e: Expr): number => (e._tag === 'Or' ? 1 : e._tag === 'And' ? 2 : e._tag === 'Compare' ? 3 : 4);

const wrap = (e: Expr, minRank: number): string => (rank(e) >= minRank ? printExpression(e) : `(${printExpression(e)})`);

/** Canonical text of an expression: parseExpression(printExpression(e)) equals e. */
export const printExpression = (e: Expr): string => {
  switch (e._tag) {
    case 'Ref':
      return `{{${printPath(e.path)}}}`;
    case 'Literal':
      return printLiteral(e.value);
    case 'Not':
      return `not ${wrap(e.operand, 4)}`;
    case 'Compare':
      return `${wrap(e.left, 4)} ${e.op} ${wrap(e.right, 4)}`;
    case 'And':
      return `${wrap(e.left, 2)} and ${wrap(e.right, 3)}`;
    case 'Or':
      return `${wrap(e.left, 1)} or ${wrap(e.right, 2)}`;
  }
};
