/**
 * Sandboxed mathjs expressions for scenario files: `{ "expr": "1/(i+1)" }` for
 * reference/reward/gold (variables i, V) and β schedules (variable t).
 *
 * Two layers, because the input is untrusted:
 *  1. a private mathjs instance with the risky functions disabled, as mathjs's
 *     security guide recommends (https://mathjs.org/docs/expressions/security.html);
 *  2. an AST whitelist: only numbers, the given variables, a few constants,
 *     arithmetic/comparison/logical operators, `a ? b : c` and pure numeric functions.
 * mathjs is imported lazily (it takes ~1 s to load) so runs without expressions never load it.
 */
import type { ConditionalNode, ConstantNode, FunctionNode, MathJsInstance, MathNode, OperatorNode, ParenthesisNode, RelationalNode, SymbolNode } from "mathjs";

/** A bad expression; `message` is one line without a file/field prefix (the caller adds it). */
export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExpressionError";
  }
}

/** Pure numeric functions that may be called (all exist in mathjs 15; a test checks). */
const FUNCTIONS = new Set([
  "abs",
  "sign",
  "min",
  "max",
  "mod",
  "floor",
  "ceil",
  "round",
  "fix",
  "sqrt",
  "cbrt",
  "square",
  "cube",
  "nthRoot",
  "pow",
  "exp",
  "expm1",
  "log",
  "log2",
  "log10",
  "log1p",
  "hypot",
  "sin",
  "cos",
  "tan",
  "sec",
  "csc",
  "cot",
  "asin",
  "acos",
  "atan",
  "atan2",
  "sinh",
  "cosh",
  "tanh",
  "asinh",
  "acosh",
  "atanh",
  "gamma",
  "lgamma",
  "erf",
  "factorial",
  "combinations",
]);
const CONSTANTS = new Set(["pi", "e", "tau", "phi"]);
const COMPARISONS = ["equal", "unequal", "smaller", "larger", "smallerEq", "largerEq"];
/** OperatorNode.fn values allowed; excludes e.g. `to` (units), bitwise ops, transpose. */
const OPERATORS = new Set([
  "add",
  "subtract",
  "multiply",
  "divide",
  "pow",
  "mod",
  "unaryMinus",
  "unaryPlus",
  "factorial",
  "and",
  "or",
  "xor",
  "not",
  ...COMPARISONS,
]);
/** Disabled in the instance, per mathjs's security guide plus later additions (compile, resolve, reviver, chain...). */
const DISABLED = [
  "import",
  "createUnit",
  "evaluate",
  "parse",
  "compile",
  "simplify",
  "simplifyConstant",
  "simplifyCore",
  "derivative",
  "rationalize",
  "resolve",
  "symbolicEqual",
  "leafCount",
  "reviver",
  "replacer",
  "chain",
  "parser",
];
/** Longer sources are rejected up front: hand-written expressions are short, and deep nesting can blow the stack. */
export const MAX_EXPRESSION_LENGTH = 10_000;

export interface Sandbox {
  math: MathJsInstance;
  /** The instance's parser, kept before `parse` is disabled in its namespace. */
  parse: (source: string) => MathNode;
}

let sandbox: Promise<Sandbox> | undefined;

/**
 * A private mathjs instance with all functions. mathjs's single-file bundle (same version, same
 * code) loads in ~0.1 s where its ESM build, ~1000 modules, takes ~1.3 s: that was most of the
 * start-up of a scenario with expressions. The bundle's `create` is bound to all factories
 * (mathjs core/create.js), so `create()` is `create(all)`. Falls back to the ESM build.
 */
async function createMath(): Promise<MathJsInstance> {
  try {
    const { createRequire } = await import("node:module");
    const bundle = createRequire(import.meta.url)("mathjs/lib/browser/math.js") as { create?: unknown };
    if (typeof bundle.create === "function") {
      const math = (bundle.create as () => MathJsInstance)();
      if (typeof math.parse === "function" && typeof math.import === "function") return math;
    }
  } catch {
    // no bundle: use the ESM build
  }
  const { create, all } = await import("mathjs");
  return create(all!); // `all` is typed via a Record, hence possibly undefined under noUncheckedIndexedAccess
}

/** The hardened mathjs instance, loaded on first use and cached. Exported for tests. */
export function loadSandbox(): Promise<Sandbox> {
  sandbox ??= createMath().then((math) => {
    const parse = math.parse.bind(math) as (source: string) => MathNode;
    const disabled = (name: string) => () => {
      throw new Error(`function ${name} is disabled`);
    };
    // mathjs's combinations(n, k) loops min(k, n − k) times: combinations(1e15, 5e14) never returns.
    // Past min(k, n − k) = 600 the result overflows anyway (C(1200, 600) > 1e359), so answer Infinity
    // at once; below it, mathjs's overflow shows as NaN (∞/∞), which is Infinity too.
    const combinations = math.combinations as unknown as (n: unknown, k: unknown) => unknown;
    const bounded = (n: unknown, k: unknown) => {
      const valid = typeof n === "number" && typeof k === "number" && Number.isInteger(n) && Number.isInteger(k) && k >= 0 && k <= n;
      if (valid && Math.min(k, n - k) > 600) return Infinity;
      const result = combinations(n, k);
      return valid && Number.isNaN(result) ? Infinity : result;
    };
    math.import({ combinations: bounded, ...Object.fromEntries(DISABLED.map((name) => [name, disabled(name)])) }, { override: true });
    return { math, parse };
  });
  return sandbox;
}

/**
 * The most evaluation work an expression may ask for: its cost (nodes, weighted below) times the
 * values it is evaluated at. A mathjs node costs about 1–2 µs to evaluate, so this is seconds, not
 * minutes; a count, not a clock, so the same scenario is accepted or refused on every machine.
 */
export const MAX_EXPRESSION_WORK = 8_000_000;

/** Functions far dearer than one node (measured: factorial ~40×, combinations ~200× a node). */
const FUNCTION_WEIGHT: Readonly<Record<string, number>> = { factorial: 40, combinations: 200, gamma: 2, lgamma: 2, nthRoot: 2 };

/** An expression's evaluation cost in node units: every node 1, a dear function its weight. */
function costOf(node: MathNode): number {
  let cost = 0;
  node.traverse((n) => {
    const name = n.type === "FunctionNode" ? (n as unknown as { fn: { name?: string } }).fn.name : undefined;
    cost += (name !== undefined ? FUNCTION_WEIGHT[name] : undefined) ?? 1;
  });
  return cost;
}

/** Throws when `cost` × `evaluations` exceeds MAX_EXPRESSION_WORK. */
export function checkExpressionWork(cost: number, evaluations: number, what: string): void {
  const work = cost * evaluations;
  if (work <= MAX_EXPRESSION_WORK) return;
  throw new ExpressionError(
    `is too costly to evaluate: ${cost} operations × ${evaluations} ${what} = ${work} (at most ${MAX_EXPRESSION_WORK}); simplify it or use a smaller vocabulary`,
  );
}

/** A compiled expression: call it with a scope; `cost` is its evaluation cost in node units. */
export type CompiledExpression = ((scope: Readonly<Record<string, number>>) => number) & { readonly cost: number };

/** Compile a whitelisted expression of the given variables; the returned function is synchronous and throws ExpressionError on a non-finite/non-real result. */
export async function compileExpression(
  source: string,
  variables: readonly string[],
  /** Extra numeric functions the expression may call (sequence rewards: count(k), at(t)). */
  functions: Readonly<Record<string, (...args: number[]) => number>> = {},
): Promise<CompiledExpression> {
  if (typeof source !== "string") throw new ExpressionError("expression must be a string");
  if (source.trim() === "") throw new ExpressionError("expression is empty");
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(`expression is too long (${source.length} characters, at most ${MAX_EXPRESSION_LENGTH})`);
  }
  const { math, parse } = await loadSandbox();

  let node: MathNode;
  let code: { evaluate(scope: Record<string, unknown>): unknown };
  try {
    node = parse(source);
  } catch (error) {
    throw failure("does not parse", error);
  }
  try {
    check(node, variables, math, Object.keys(functions));
    code = node.compile();
  } catch (error) {
    throw failure("does not compile", error);
  }

  const evaluate = (scope: Readonly<Record<string, number>>): number => {
    const where = () => `at ${variables.map((name) => `${name} = ${scope[name]}`).join(", ")}`;
    for (const name of variables) {
      // A missing variable would silently fall back to mathjs's own symbol (i is the imaginary unit).
      if (typeof scope[name] !== "number") throw new ExpressionError(`no value given for ${name}`);
    }
    let value: unknown;
    try {
      value = code.evaluate({ ...functions, ...scope });
    } catch (error) {
      throw failure(`fails ${where()}`, error);
    }
    if (typeof value === "number" && Number.isFinite(value)) return value;
    const hint = typeof value === "boolean" ? "; write cond ? 1 : 0 for a number" : "";
    throw new ExpressionError(`evaluates to ${describe(value, math)} ${where()}${hint}`);
  };
  return Object.assign(evaluate, { cost: costOf(node) });
}

/** Evaluate an expression of i (0..V-1) and V into a Float64Array of length V. */
export async function evaluateVector(source: string, V: number): Promise<Float64Array> {
  if (!Number.isInteger(V) || V < 1) throw new ExpressionError(`vocabulary size must be a positive integer, got ${V}`);
  const f = await compileExpression(source, ["i", "V"]);
  checkExpressionWork(f.cost, V, "tokens (V)");
  const out = new Float64Array(V);
  const scope = { i: 0, V };
  for (let i = 0; i < V; i++) {
    scope.i = i;
    out[i] = f(scope);
  }
  return out;
}

/** Throw an ExpressionError naming the first construct outside the whitelist. */
function check(node: MathNode, variables: readonly string[], math: MathJsInstance, extra: readonly string[] = []): void {
  const recurse = (child: MathNode) => check(child, variables, math, extra);
  switch (node.type) {
    case "ConstantNode": {
      const v: unknown = (node as ConstantNode).value;
      if (typeof v === "number" && Number.isFinite(v)) return;
      if (typeof v === "number") throw new ExpressionError(`number ${snippet(node)} is out of range`);
      if (typeof v === "string") throw new ExpressionError(`strings are not allowed: ${snippet(node)}`);
      throw new ExpressionError(`constant ${snippet(node)} is not allowed (only numbers)`);
    }
    case "SymbolNode": {
      const { name } = node as SymbolNode;
      if (variables.includes(name) || CONSTANTS.has(name)) return;
      if (FUNCTIONS.has(name) || extra.includes(name)) throw new ExpressionError(`function "${name}" must be called, e.g. ${name}(x)`);
      throw new ExpressionError(`unknown symbol "${name}" (expressions may use ${[...variables, ...CONSTANTS].join(", ")})`);
    }
    case "OperatorNode": {
      const op = node as OperatorNode;
      if (!OPERATORS.has(op.fn)) throw new ExpressionError(`operator "${op.op}" is not allowed`);
      return op.args.forEach(recurse);
    }
    case "RelationalNode": {
      // chained comparisons such as `0 < i < 3`
      const rel = node as RelationalNode;
      if (!rel.conditionals.every((c) => COMPARISONS.includes(c))) {
        throw new ExpressionError(`comparison ${snippet(node)} is not allowed`);
      }
      return rel.params.forEach(recurse);
    }
    case "ParenthesisNode":
      return recurse((node as ParenthesisNode).content);
    case "ConditionalNode": {
      const cond = node as ConditionalNode;
      return [cond.condition, cond.trueExpr, cond.falseExpr].forEach(recurse);
    }
    case "FunctionNode": {
      const call = node as FunctionNode<MathNode>;
      if (call.fn.type !== "SymbolNode") {
        recurse(call.fn); // names the real problem, e.g. property access in `cos.constructor(...)`
        throw new ExpressionError(`only named functions can be called: ${snippet(node)}`);
      }
      const { name } = call.fn as SymbolNode;
      if (variables.includes(name)) throw new ExpressionError(`"${name}" is a variable, not a function: ${snippet(node)}`);
      if (extra.includes(name)) return call.args.forEach(recurse);
      if (!FUNCTIONS.has(name)) {
        const what = Object.hasOwn(math, name) ? `"${name}" is not allowed` : `unknown function "${name}"`;
        throw new ExpressionError(`${what} (allowed functions: ${[...FUNCTIONS].join(", ")})`);
      }
      return call.args.forEach(recurse);
    }
    case "AccessorNode":
    case "IndexNode":
      throw new ExpressionError(`property access is not allowed: ${snippet(node)}`);
    case "AssignmentNode":
      throw new ExpressionError(`assignment is not allowed: ${snippet(node)}`);
    case "FunctionAssignmentNode":
      throw new ExpressionError(`function definitions are not allowed: ${snippet(node)}`);
    case "ArrayNode":
      throw new ExpressionError(`arrays and matrices are not allowed: ${snippet(node)}`);
    case "ObjectNode":
      throw new ExpressionError(`objects are not allowed: ${snippet(node)}`);
    case "RangeNode":
      throw new ExpressionError(`ranges are not allowed: ${snippet(node)}`);
    case "BlockNode":
      throw new ExpressionError("only a single expression is allowed (no ; or line breaks between statements)");
    default:
      throw new ExpressionError(`${node.type} is not allowed`);
  }
}

/** What a rejected result was, for the error message. */
function describe(value: unknown, math: MathJsInstance): string {
  if (typeof value === "number") return String(value); // NaN, Infinity, -Infinity
  if (typeof value === "boolean") return `a boolean (${value})`;
  const type = math.typeOf(value);
  const names: Record<string, string> = {
    Complex: "a complex number",
    Array: "an array",
    DenseMatrix: "a matrix",
    SparseMatrix: "a matrix",
    BigNumber: "a BigNumber",
    Fraction: "a fraction",
    Unit: "a unit",
    string: "a string",
    undefined: "nothing",
    null: "null",
  };
  return names[type] ?? `a ${type}`;
}

/** A short one-line rendering of a node for messages (toString never evaluates). */
function snippet(node: MathNode): string {
  const text = node.toString().replace(/\s+/g, " ");
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Any error from mathjs (or a stack overflow on deep nesting) as a one-line ExpressionError. */
function failure(what: string, error: unknown): ExpressionError {
  if (error instanceof ExpressionError) return error;
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();
  if (error instanceof RangeError && /call stack/i.test(message)) {
    return new ExpressionError("is nested too deeply (mathjs ran out of stack); simplify it");
  }
  return new ExpressionError(`${what}: ${message}`);
}
