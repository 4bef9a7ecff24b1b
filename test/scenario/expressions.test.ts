import { describe, expect, it } from "vitest";
import { compileExpression, evaluateVector, ExpressionError, loadSandbox } from "../../src/scenario/expressions.js";

/** Resolve to the ExpressionError `run` rejects with; fail if it succeeds or throws anything else. */
async function expressionError(run: () => Promise<unknown>): Promise<ExpressionError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    expect(message.length).toBeGreaterThan(0);
    return error as ExpressionError;
  }
  throw new Error("expected an ExpressionError, but the expression was accepted");
}

const vector = (source: string, V = 4) => evaluateVector(source, V);

describe("valid expressions", () => {
  it("evaluates 1/(i+1) over i = 0..V-1", async () => {
    const v = await vector("1/(i+1)");
    expect(v).toBeInstanceOf(Float64Array);
    expect([...v]).toEqual([1, 0.5, 1 / 3, 0.25]);
  });

  it("evaluates -log(i+1), conditionals, V and constants", async () => {
    expect([...(await vector("-log(i+1)"))].map((x) => x + 0)).toEqual([0, -Math.log(2), -Math.log(3), -Math.log(4)]); // + 0 turns -0 into 0
    expect([...(await vector("i == 0 ? 1 : 0"))]).toEqual([1, 0, 0, 0]);
    expect([...(await vector("(V - i) / V"))]).toEqual([1, 0.75, 0.5, 0.25]);
    expect([...(await vector("0 < i < 3 ? 1 : 0"))]).toEqual([0, 1, 1, 0]);
    expect([...(await vector("i mod 2 + i % 2 + 2^i + 3!"))]).toEqual([7, 10, 10, 16]);
    const [a] = await vector("pi + e + tau + phi + max(i, 2) + log(8, 2) + atan2(1, 1) + erf(0)", 1);
    expect(a).toBeCloseTo(Math.PI + Math.E + 2 * Math.PI + (1 + Math.sqrt(5)) / 2 + 2 + 3 + Math.PI / 4, 12);
  });

  it("compiles a beta schedule of t", async () => {
    const beta = await compileExpression("0.5*exp(-t/2000)", ["t"]);
    expect(beta({ t: 0 })).toBe(0.5);
    expect(beta({ t: 2000 })).toBeCloseTo(0.5 / Math.E, 15);
  });

  it("evaluates the largest vocabulary, V = 65536", async () => {
    const v = await vector("-log(i+1) + 0.5*sin(i/V) + (i == 0 ? 1 : 0)", 65_536);
    expect(v[0]).toBe(1);
    expect(v).toHaveLength(65_536);
    expect(v[65_535]).toBeCloseTo(-Math.log(65_536) + 0.5 * Math.sin(65_535 / 65_536), 12);
  });

  it("whitelists only functions that exist in mathjs", async () => {
    const { math } = await loadSandbox();
    const err = await expressionError(() => vector("nosuchfn(1)"));
    const names = /allowed functions: (.*)\)$/.exec(err.message)?.[1]?.split(", ") ?? [];
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) expect(typeof (math as unknown as Record<string, unknown>)[name], name).toBe("function");
  });
});

describe("rejected expressions", () => {
  const rejected: Array<[string, RegExp]> = [
    ["import({}, {})", /"import" is not allowed \(allowed functions: abs, /],
    ['createUnit("x")', /"createUnit" is not allowed/],
    ['evaluate("1")', /"evaluate" is not allowed/],
    ['parse("1")', /"parse" is not allowed/],
    ['simplify("x")', /"simplify" is not allowed/],
    ['derivative("x","x")', /"derivative" is not allowed/],
    ['compile("1")', /"compile" is not allowed/],
    ["matrix([1])", /"matrix" is not allowed/],
    ["ones(2)", /"ones" is not allowed/],
    ['unit("5cm")', /"unit" is not allowed/],
    ["[1,2]", /arrays and matrices are not allowed/],
    ["{a:1}", /objects are not allowed/],
    ["x = 1", /assignment is not allowed/],
    ["f(x) = x", /function definitions are not allowed/],
    ["a.b", /property access is not allowed/],
    ['i["constructor"]', /property access is not allowed/],
    ["cos.constructor", /property access is not allowed/],
    ["(1).constructor", /property access is not allowed/],
    ["i?.x", /property access is not allowed/],
    ['"abc"', /strings are not allowed/],
    ["true", /constant true is not allowed/],
    ["1e999", /out of range/],
    ["1:3", /ranges are not allowed/],
    ["1; 2", /only a single expression/],
    ["k", /^unknown symbol "k" \(expressions may use i, V, /],
    ["t", /unknown symbol "t"/],
    ["cos", /function "cos" must be called/],
    ["i(2)", /"i" is a variable, not a function/],
    ["nosuchfn(1)", /unknown function "nosuchfn"/],
    ["1 to cm", /operator "to" is not allowed/],
    ["5cm", /unknown symbol "cm"/],
    ["1 +", /^does not parse: Unexpected end of expression/],
    ["", /is empty/],
  ];
  it.each(rejected)("rejects %s", async (source, message) => {
    expect((await expressionError(() => vector(source))).message).toMatch(message);
  });

  const badResults: Array<[string, RegExp]> = [
    ["sqrt(-1)", /^evaluates to a complex number at i = 0\b/],
    ["0/0", /^evaluates to NaN at i = 0\b/],
    ["1/0", /^evaluates to Infinity at i = 0\b/],
    ["log(i)", /^evaluates to -Infinity at i = 0\b/],
    ["i == 3 ? 0/0 : 1", /^evaluates to NaN at i = 3\b/],
    ["i > 1", /^evaluates to a boolean \(false\) at i = 0\b.*cond \? 1 : 0/],
    ["min()", /^fails at i = 0\b.*Too few arguments/],
    ["sqrt(-1) > 0", /^fails at i = 0\b/],
  ];
  it.each(badResults)("rejects the result of %s", async (source, message) => {
    expect((await expressionError(() => vector(source))).message).toMatch(message);
  });

  it("rejects a missing variable instead of using mathjs's imaginary unit", async () => {
    const f = await compileExpression("i + 1", ["i"]);
    expect(() => f({})).toThrow(ExpressionError);
    expect(() => f({})).toThrow(/no value given for i/);
  });

  it("handles very long and deeply nested expressions cleanly", async () => {
    expect([...(await vector(Array(500).fill("i").join(" + "), 2))]).toEqual([0, 500]);
    for (const source of [Array(5000).fill("1").join("+"), "(".repeat(3000) + "1" + ")".repeat(3000), "-".repeat(5000) + "1", "1+".repeat(6000) + "1"]) {
      try {
        const v = await vector(source, 2);
        expect(v.every(Number.isFinite)).toBe(true);
      } catch (error) {
        expect(error).toBeInstanceOf(ExpressionError);
        expect((error as Error).message).not.toContain("\n");
      }
    }
  });
});

describe("known mathjs escapes", () => {
  // Adapted from mathjs issues #821/#822 and its test/unit-tests/expression/security.test.js;
  // each payload tries to reach Function via `constructor` and set a global canary.
  const canary = "globalThis.__klsimPwned = true";
  const escapes = [
    `cos.constructor("${canary}")()`,
    `f=[].map.constructor("${canary}"); f()`,
    `f=[].map["constructor"]("${canary}"); f()`,
    `f=[].map["\\u0063onstructor"]("${canary}"); f()`,
    `f=sqrt.constructor.call(null, "${canary}"); f()`,
    `["//","a/*\\nreturn globalThis"]._data.map(cos.constructor)[1]()`,
    `import({matrix:cos.constructor},{override:1});x=["${canary}"];x()`,
    `a=["${canary}"]._data;a.isRange=true;x={subset:cos.constructor}[a];x()`,
    `{}.constructor.assign(cos.constructor, {binding: cos.bind})\n` +
      `{}.constructor.assign(cos.constructor, {bind: null})\n` +
      `cos.constructor.binding()("${canary}")()`,
    `O = {}.constructor\nd = O.getOwnPropertyDescriptor(O.__proto__, "constructor")\nd.value("${canary}")()`,
    `x=parse("cos");x.name="a";x.compile().evaluate()`,
    `evaluate("f(x)=cos.constructor")("${canary}")()`,
    `chain("a(){return evaluate;};function b").typed({"":f()=0}).done()`,
    `[]["(){}+${canary};function a"]()=0`,
    `f()=false;g()={length:3};h()={"0":0,"1":0,"2":0};j(x)=[x("constructor")];k(x)={map:j};` +
      `i={isIndex:true,isScalar:f,size:g,min:h,max:h,dimension:k};` +
      `f=subset(subset([[[0]]],i),index(1,1,1))("${canary}");f()`,
  ];
  const pwned = () => (globalThis as Record<string, unknown>).__klsimPwned;

  it.each(escapes)("compileExpression rejects %s", async (source) => {
    await expressionError(async () => (await compileExpression(source, ["i", "V"]))({ i: 0, V: 4 }));
    expect(pwned()).toBeUndefined();
  });

  it.each(escapes)("the hardened instance alone (no whitelist) does not run %s", async (source) => {
    const { parse } = await loadSandbox();
    let result: unknown;
    try {
      result = parse(source).compile().evaluate({});
    } catch {
      // rejected by mathjs or by a disabled function: fine
    }
    expect(typeof result).not.toBe("function");
    expect(pwned()).toBeUndefined();
  });

  it("disables the risky functions in the instance's namespace", async () => {
    const { math, parse } = await loadSandbox();
    for (const source of [
      "import({}, {})",
      'createUnit("x")',
      'evaluate("1")',
      'parse("1")',
      'compile("1")',
      'simplify("x")',
      'derivative("x", "x")',
      "resolve(1)",
    ]) {
      expect(() => parse(source).compile().evaluate({}), source).toThrow(/is disabled/);
    }
    expect(() => math.evaluate("1")).toThrow(/is disabled/);
    expect(() => math.chain(1)).toThrow(/is disabled/); // chain is not in the parser's namespace, only in math's
  });
});

describe("lazy loading", () => {
  it("imports mathjs only dynamically, so runs without expressions never load it", async () => {
    const { readFile } = await import("node:fs/promises");
    const source = await readFile(new URL("../../src/scenario/expressions.ts", import.meta.url), "utf8");
    const staticImports = source.match(/^import\s+(?!type\b)[^;]*from\s+"mathjs"/gm);
    expect(staticImports).toBeNull();
    expect(source).toContain('import("mathjs")');
  });
});
