// @ts-check
/**
 * The source of klsim's WebAssembly SIMD kernel: this file writes the kernel's WebAssembly text
 * (WAT), which scripts/build-wasm.mjs compiles with wabt into dist/engine/kernel.wasm (the tests
 * compile it the same way). It is a generator rather than a hand-written .wat because the loop
 * body is emitted four times over, interleaved, and specialised per penalty and optimiser: one
 * step's chain of dependent operations is long (exp alone is ~25 of them), so independent pairs of
 * tokens have to sit side by side for the CPU to overlap them. (exp's statements load each constant
 * once for the four pairs: it has more constants than there are spare registers.)
 *
 * The readable reference is src/core/families/softmax.ts (evaluatePolicy = pass A, gradient = pass B, with the registry's divergence entries)
 * and src/core/optimizers.ts (pass C). Each exported step function fuses the three into ONE pass
 * over the vocabulary, one exp per token, two tokens per f64x2 instruction:
 *
 *   for each token i:
 *     π_i  = e_i · invZ                      (e = exp(θ − M) from the previous step, or π and invZ = 1)
 *     g_i  = reverse: π_i·((r_i − β·((θ_i − logZ) − log πref_i)) − mean)     (mean = ⟨π, f⟩)
 *            forward: π_i·(r_i − mean) + β·(πref_i − π_i)                      (mean = E_π[r])
 *     θ_i ← θ_i + lr·g_i, or Adam's update; and max θ
 *     s_i  = θ_i − M,  e_i = exp(s_i)         (M = the previous max θ: softmax is exact for any shift)
 *     Σe, Σe·r, Σe·gold, Σe·s, Σe·(s − log πref), Σπref·(log πref − s)
 *
 * with the operations in the same order as the TypeScript, so the gradient and update are the
 * same numbers; only the summation order (per lane) differs. fast-stepper.ts turns the sums into the
 * metrics exactly as evaluatePolicy does.
 *
 * exp has no division: Cody–Waite reduction x = k·ln2 + r, |r| ≤ ln2/2 carried as hi − lo (as in
 * fdlibm); exp(r) = 1 + (hi + (r²·Q(r) − lo)) with Q a degree-9 minimax polynomial (Horner); then
 * ·2^k from integer bits, rounded once (a subnormal too). Error < 0.78 ulp on [−745, 0] (Math.exp's,
 * fdlibm's, is < 0.83 there); the tests find it within 1 ulp of Math.exp and mostly the same bits.
 * x is clamped to [−746, 710] (exp is 0 below, +Infinity above); NaN passes through. (The step
 * kernels skip the upper clamp: an argument above 32 means the step's max θ jumped, and
 * fast-stepper.ts recomputes that step's exps with the plain code.) See expStatements.
 *
 * Exports: step_<penalty>_<optimizer>(start, count, tail, out) — one step over a chunk of the
 * vocabulary (a helper thread can run the other chunk on the same shared memory);
 * run_<penalty>_<optimizer>(n, rows, groups, tail, out, bias) — n steps at a fixed β back to back, finishing
 * each as evaluatePolicy does (log is a port of fdlibm's __ieee754_log, the same bits as Math.log)
 * and writing its metrics to a row; exp (and exp_step, as the step kernels compute it) and log on
 * their own, for the tests.
 *
 * Memory (imported and shared; the caller sizes it and never grows it): the constants below at 0,
 * a parameter block at PARAMS, the tail masks at MASKS, two result slots at OUT, the rest of the
 * constants at MORE_CONSTANTS (768, below CONTROL), the helper's control words at CONTROL, then
 * the caller's arrays from ARRAYS on, each padded to a multiple of GROUP tokens with zeros. The
 * main loop runs over whole groups of GROUP tokens without masks; a last partial group runs the
 * same body with the pad lanes masked (their e is 0, their θ stays 0, they never win the max), so
 * every sum is over exactly the V real tokens.
 */
import { ARRAYS, BIAS, F64_PARAMS, GROUP, KERNEL_OPTIMIZERS, KERNEL_PENALTIES, KERNEL_VERSION, LAYOUT, ROW, SHIFT_SLACK, UNROLL } from "./contract.mjs";

const { INTS, OUT_SLOT, MORE_CONSTANTS } = LAYOUT;

/** exp builds 2^(k + SCALE), a normal number for every k ≥ −1076 (x ≥ −746), then multiplies by 2^−SCALE. */
const SCALE = 64;
/** exp's constants (and two the loops use), each splatted to a v128: the first 16 in the data segment at
 *  offset 16·index, the rest from MORE_CONSTANTS on (between the result slots and the control words). */
const CONSTANTS = {
  lo: -746,
  hi: 710,
  invLn2: 1.442695040888963387,
  shifter: 0x18000000000000 + SCALE, // 1.5·2^52 + SCALE: adding it rounds to an integer, k + SCALE in the low bits
  ln2HI: 6.9314718036912381649e-1, // 32 trailing zero bits: k·ln2HI is exact
  ln2LO: 1.90821492927058770002e-10,
  scaleDown: 2 ** -SCALE, // 2^−SCALE
  one: 1,
  bias: "i32:991", // i32 lanes of 1023 − SCALE/2, the exponent bias less half of SCALE (exp's full range)
  negInf: -Infinity,
  // exp(r) ≈ 1 + r + r²·Q(r) on |r| ≤ ln2/2: Q of degree 9, a weighted minimax fit of (e^r − 1 − r)/r²
  // (relative error of the polynomial with these rounded coefficients < 0.05 ulp)
  Q0: 0.5000000000000011,
  Q1: 0.1666666666666641,
  Q2: 0.04166666666652972,
  Q3: 0.00833333333349498,
  Q4: 0.0013888888943761658,
  Q5: 0.0001984126950577352,
  Q6: 2.4801492947987373e-5,
  Q7: 2.7557586800370835e-6,
  Q8: 2.763030680298044e-7,
  Q9: 2.50000207895223e-8,
};
const CONSTANT_NAMES = Object.keys(CONSTANTS);

/** Byte offset of a constant. @param {number} index */
const constantOffset = (index) => (index < 16 ? 16 * index : MORE_CONSTANTS + 16 * (index - 16));
/** @param {string} name */
const k = (name) => `(v128.load offset=${constantOffset(CONSTANT_NAMES.indexOf(name))} (i32.const 0))`;
/** @param {string} name */
const get = (name) => `(local.get $${name})`;
/** @param {string} name @param {string} value */
const set = (name, value) => `(local.set $${name} ${value})`;
/** @param {string} op @param {...string} args */
const op = (op, ...args) => `(${op} ${args.join(" ")})`;

/** The data segments with the constants (little-endian f64, twice each), one per area. */
function constantData() {
  const segment = (/** @type {string[]} */ names) => {
    const bytes = new Uint8Array(16 * names.length);
    const view = new DataView(bytes.buffer);
    names.forEach((name, index) => {
      const value = CONSTANTS[/** @type {keyof typeof CONSTANTS} */ (name)];
      if (typeof value === "string") {
        for (let lane = 0; lane < 4; lane++) view.setInt32(16 * index + 4 * lane, Number(value.slice(4)), true);
        return;
      }
      view.setFloat64(16 * index, value, true);
      view.setFloat64(16 * index + 8, value, true);
    });
    return Array.from(bytes, (b) => "\\" + b.toString(16).padStart(2, "0")).join("");
  };
  return `(data (i32.const 0) "${segment(CONSTANT_NAMES.slice(0, 16))}")
  (data (i32.const ${MORE_CONSTANTS}) "${segment(CONSTANT_NAMES.slice(16))}")`;
}

/**
 * Statements computing exp(`x`) into the local `out`, for pair suffix p (locals xk$p etc.).
 *
 * x = k·ln2 + r, |r| ≤ ln2/2 carried as hi − lo (Cody–Waite, as fdlibm: hi = x − k·ln2HI is exact);
 * exp(r) = 1 + (hi + (r²·Q(r) − lo)), a polynomial without division (Q: 10 coefficients, Horner); then
 * ·2^k from integer bits. `full` (the exp export: x clamped to [−746, 710]) scales as 2^k1·2^(k − k1),
 * k1 = floor(k/2), two powers of two, the first product exact, so that k = 1024 does not overflow early.
 * The step kernels (x ≥ −746 and, where the result is used, x ≤ 32) instead add k + SCALE to the
 * exponent field of exp(r) — kd carries k + SCALE in its low bits — and multiply by 2^−SCALE. Both
 * round the exact exp(r)·2^k once, so they give the same bits (a subnormal or 0 for x < −708.4); the
 * step kernels' form is good for x ≤ 600 (above, its exponent wraps; such a step is recomputed).
 * @param {string} x an expression @param {string} out @param {string} p @param {boolean} [full]
 */
function expStatements(x, out, p, full = true) {
  const n = (/** @type {string} */ name) => `${name}${p}`;
  // the pairs' statement j run one after another (see interleave), so the first pair ("0", or "" when
  // alone) loads statement j's constants into $K and $K2 and every pair uses them there
  const first = p === "0" || p === "";
  const load = (/** @type {string} */ local, /** @type {string} */ name) => (first ? `(local.set $${local} ${k(name)}) ` : "");
  const K = get("K");
  const K2 = get("K2");
  const mul = (/** @type {string} */ a, /** @type {string} */ b) => op("f64x2.mul", a, b);
  const add = (/** @type {string} */ a, /** @type {string} */ b) => op("f64x2.add", a, b);
  const sub = (/** @type {string} */ a, /** @type {string} */ b) => op("f64x2.sub", a, b);
  const scaled = full
    ? [
        // j = k + SCALE is in the low 32 bits of kd (kd − 1.5·2^52 = j < 2^31): j1 = j >> 1 in i32 lanes,
        // and 2^(j1 − SCALE/2)·2^(j − j1 − SCALE/2) = 2^k, each (· + 1023 − SCALE/2) << 52 — the i64 shift
        // keeps only the low lane's 12 bits
        load("K", "bias") +
          set(n("k1"), op("i32x4.shr_s", get(n("kd")), "(i32.const 1)")) +
          set(
            out,
            mul(
              mul(get(n("y")), op("i64x2.shl", op("i32x4.add", get(n("k1")), K), "(i32.const 52)")),
              op("i64x2.shl", op("i32x4.add", op("i32x4.sub", get(n("kd")), get(n("k1"))), K), "(i32.const 52)"),
            ),
          ),
      ]
    : [
        // kd's low 12 bits are k + SCALE: shifted to the exponent field and added, exp(r)·2^(k + SCALE)
        // (exact: normal for k ≥ −1076); then ·2^−SCALE, rounded once
        load("K", "scaleDown") + set(out, mul(op("i64x2.add", get(n("y")), op("i64x2.shl", get(n("kd")), "(i32.const 52)")), K)),
      ];
  // y ← Q_j + r·y, j = 7 … 0
  const horner = Array.from({ length: 8 }, (_, i) => load("K", `Q${7 - i}`) + set(n("y"), add(K, mul(get(n("rr")), get(n("y"))))));
  return [
    // pmax(a, b) = a < b ? b : a and pmin(a, b) = b < a ? b : a keep a NaN in a
    full
      ? load("K", "lo") + load("K2", "hi") + set(n("xc"), op("f64x2.pmin", op("f64x2.pmax", x, K), K2))
      : load("K", "lo") + set(n("xc"), op("f64x2.pmax", x, K)),
    // k = round(x/ln2) by adding 1.5·2^52 (fdlibm rounds half away from zero; the two differ only
    // when x/ln2 is within an ulp of a half-integer, and both results are within 1 ulp)
    load("K", "invLn2") + load("K2", "shifter") + set(n("kd"), add(mul(get(n("xc")), K), K2)),
    // hi = x − k·ln2HI (exact), lo = k·ln2LO, r = hi − lo
    load("K", "ln2HI") + set(n("hi"), sub(get(n("xc")), mul(op("local.tee", `$${n("kf")}`, sub(get(n("kd")), K2)), K))),
    load("K", "ln2LO") + set(n("lo"), mul(get(n("kf")), K)),
    set(n("rr"), sub(get(n("hi")), get(n("lo")))),
    // Q(r) by Horner's scheme, one step per statement (each constant loaded once for all pairs)
    load("K", "Q8") + load("K2", "Q9") + set(n("y"), add(K, mul(get(n("rr")), K2))),
    ...horner,
    // exp(r) = 1 + (hi + (r²·Q(r) − lo)): r's rounding error stays out, as in fdlibm
    load("K", "one") + set(n("y"), add(K, add(get(n("hi")), sub(mul(mul(get(n("rr")), get(n("rr"))), get(n("y"))), get(n("lo")))))),
    ...scaled,
  ];
}
const EXP_LOCALS = ["xc", "kd", "kf", "hi", "lo", "rr", "y", "k1"];

/** A parameter, splatted to both lanes once per call (local $v_<slot>).
 * @param {string} slot */
const param = (slot) => get("v_" + slot);

/** Per-pair helpers: local names with the pair's suffix, and its slice of an array. */
function pairHelpers(/** @type {number} */ p) {
  const n = (/** @type {string} */ name) => `${name}${p}`;
  const at = (/** @type {string} */ array) => `offset=${16 * p} (i32.add ${get(array)} ${get("i")})`;
  return {
    n,
    load: (/** @type {string} */ array) => `(v128.load ${at(array)})`,
    store: (/** @type {string} */ array, /** @type {string} */ value) => `(v128.store ${at(array)} ${value})`,
    mask: `(v128.load offset=${LAYOUT.MASKS + 16 * p} (i32.const 0))`,
  };
}

/**
 * The penalties the kernel implements (contract.mjs KERNEL_PENALTIES), each written once: the
 * gradient of E_π[r] − β·D for a pair (the formulas of the registry's entries, src/core/divergences,
 * through the softmax chain rule, src/core/families/softmax.ts), the ⟨π, f⟩ the next step's gradient
 * needs, and which KL the penalty is (the record's penalty_value and the finiteness check).
 * @type {Record<"reverse" | "forward", {
 *   gradient: (load: (array: string) => string, pi: string, theta: string) => string,
 *   mean: (reward: string, beta: string, rkl: string) => string,
 *   kl: string }>}
 */
const PENALTY_FORMULAS = {
  reverse: {
    // π·((r − β·((θ − logZ) − log πref)) − mean), mean = ⟨π, f⟩ = E_π[r] − β·KL(π‖π_ref)
    gradient: (load, pi, th) =>
      op(
        "f64x2.mul",
        pi,
        op(
          "f64x2.sub",
          op("f64x2.sub", load("reward"), op("f64x2.mul", param("beta"), op("f64x2.sub", op("f64x2.sub", th, param("logZ")), load("logRef")))),
          param("mean"),
        ),
      ),
    mean: (reward, beta, rkl) => `(f64.sub ${reward} (f64.mul ${beta} ${rkl}))`,
    kl: "$rkl",
  },
  forward: {
    // π·(r − mean) + β·(πref − π), mean = E_π[r]
    gradient: (load, pi) =>
      op("f64x2.add", op("f64x2.mul", pi, op("f64x2.sub", load("reward"), param("mean"))), op("f64x2.mul", param("beta"), op("f64x2.sub", load("ref"), pi))),
    mean: (reward) => reward,
    kl: "$fkl",
  },
};
if (KERNEL_PENALTIES.some((penalty) => !(penalty.name in PENALTY_FORMULAS))) throw new Error("a kernel penalty has no formulas");

/**
 * Passes B and C for pair p: the gradient from π = e·invZ, the optimiser's update of θ, max θ.
 * Leaves the new θ in the local th<p>.
 * @param {number} p @param {"reverse" | "forward"} penalty @param {"sgd" | "adam"} optimizer @param {boolean} masked
 */
function updateStatements(p, penalty, optimizer, masked) {
  const { n, load, store, mask } = pairHelpers(p);
  const s = [
    set(n("th"), load("theta")),
    set(n("pi"), op("f64x2.mul", load("e"), param("invZ"))),
    set(n("g"), PENALTY_FORMULAS[penalty].gradient(load, get(n("pi")), get(n("th")))),
    store("grad", get(n("g"))),
  ];
  if (optimizer === "sgd") {
    s.push(set(n("th"), op("f64x2.add", get(n("th")), op("f64x2.mul", param("rate"), get(n("g"))))));
  } else {
    // m = β1·m + (1 − β1)·g;  v = β2·v + ((1 − β2)·g)·g;  θ += (lr·(m·c1)) / (√(v·c2) + ε)
    s.push(
      set(n("mo"), op("f64x2.add", op("f64x2.mul", param("b1"), load("am")), op("f64x2.mul", get("vOneB1"), get(n("g"))))),
      set(n("ve"), op("f64x2.add", op("f64x2.mul", param("b2"), load("av")), op("f64x2.mul", op("f64x2.mul", get("vOneB2"), get(n("g"))), get(n("g"))))),
      store("am", get(n("mo"))),
      store("av", get(n("ve"))),
      set(
        n("th"),
        op(
          "f64x2.add",
          get(n("th")),
          op(
            "f64x2.div",
            op("f64x2.mul", param("rate"), op("f64x2.mul", get(n("mo")), param("c1"))),
            op("f64x2.add", op("f64x2.sqrt", op("f64x2.mul", get(n("ve")), param("c2"))), param("eps")),
          ),
        ),
      ),
    );
  }
  // the pad lanes' θ stays 0 and never wins the max; pmax skips NaN like `if (t > max)`
  if (masked) s.push(set(n("th"), op("v128.and", get(n("th")), mask)));
  s.push(store("theta", get(n("th"))));
  s.push(set("max", op("f64x2.pmax", get("max"), masked ? op("v128.bitselect", get(n("th")), k("negInf"), mask) : get(n("th")))));
  return s;
}

/**
 * Pass A for pair p on θ (an expression): e = exp(θ − M) and the metrics' sums.
 * @param {number} p @param {string} theta @param {boolean} masked
 */
function evaluateStatements(p, theta, masked) {
  const { n, load, store, mask } = pairHelpers(p);
  const s = [set(n("s"), op("f64x2.sub", theta, param("M"))), ...expStatements(get(n("s")), n("x"), String(p), false)];
  if (masked) s.push(set(n("x"), op("v128.and", get(n("x")), mask)));
  s.push(
    store("e", get(n("x"))),
    set(n("lr"), load("logRef")),
    set("z", op("f64x2.add", get("z"), get(n("x")))),
    set("sR", op("f64x2.add", get("sR"), op("f64x2.mul", get(n("x")), load("reward")))),
    set("sG", op("f64x2.add", get("sG"), op("f64x2.mul", get(n("x")), load("gold")))),
    set("sS", op("f64x2.add", get("sS"), op("f64x2.mul", get(n("x")), get(n("s"))))),
    set("sLR", op("f64x2.add", get("sLR"), op("f64x2.mul", get(n("x")), op("f64x2.sub", get(n("s")), get(n("lr")))))),
    set("sRef", op("f64x2.add", get("sRef"), op("f64x2.mul", load("ref"), op("f64x2.sub", get(n("lr")), get(n("s")))))),
  );
  return s;
}

/** Interleaves the pairs' statement lists: statement j of every pair, then statement j + 1 ...
 * (the sums stay in pair order). @param {string[][]} perPair */
function interleave(perPair) {
  const out = [];
  for (let j = 0; j < perPair[0].length; j++) for (const statements of perPair) out.push(statements[j]);
  return out;
}

/**
 * The loop body for UNROLL pairs (passes B, C and A fused).
 * @param {"reverse" | "forward"} penalty @param {"sgd" | "adam"} optimizer @param {boolean} masked
 * @returns {string[]}
 */
function body(penalty, optimizer, masked) {
  const pairs = Array.from({ length: UNROLL }, (_, p) => p);
  return interleave(pairs.map((p) => [...updateStatements(p, penalty, optimizer, masked), ...evaluateStatements(p, get(`th${p}`), masked)]));
}

const PAIR_LOCALS = ["th", "lr", "pi", "g", "mo", "ve", "s", "x", ...EXP_LOCALS];
const SUMS = ["z", "sR", "sG", "sS", "sLR", "sRef"];

/** @param {string[]} lines @param {number} depth */
const indent = (lines, depth) => lines.map((l) => " ".repeat(depth) + l).join("\n");

/**
 * The loop over groups [start, start + count) of GROUP tokens without masks, then, if `tail`, the
 * vocabulary's last, partial group with its pad lanes masked.
 * @param {"reverse" | "forward"} penalty @param {"sgd" | "adam"} optimizer
 */
function loops(penalty, optimizer) {
  return `    (block $done
      (loop $next
        (br_if $done (i32.ge_u ${get("i")} ${get("end")}))
${indent(body(penalty, optimizer, false), 8)}
        (local.set $i (i32.add ${get("i")} (i32.const ${16 * UNROLL})))
        (br $next)))
    (if ${get("tail")}
      (then
${indent(body(penalty, optimizer, true), 8)}))`;
}

/**
 * One step function, step_<penalty>_<optimizer>.
 * @param {"reverse" | "forward"} penalty @param {"sgd" | "adam"} optimizer
 */
function stepFunction(penalty, optimizer) {
  const name = `step_${penalty}_${optimizer}`;
  const int = (/** @type {string} */ slot) => `(i32.load offset=${LAYOUT.PARAMS + INTS + 4 * ARRAYS.indexOf(slot)} (i32.const 0))`;
  const locals = [
    "(local $i i32) (local $end i32)",
    ...ARRAYS.map((p) => `(local $${p} i32)`),
    "(local $vOneB1 v128) (local $vOneB2 v128)",
    ...F64_PARAMS.map((p) => `(local $v_${p} v128)`),
    ...SUMS.map((v) => `(local $${v} v128)`),
    "(local $max v128) (local $K v128) (local $K2 v128)",
    ...Array.from({ length: UNROLL }, (_, p) => PAIR_LOCALS.map((l) => `(local $${l}${p} v128)`).join(" ")),
  ];
  const init = [
    ...ARRAYS.map((p) => set(p, int(p))),
    ...F64_PARAMS.map((p) => set("v_" + p, `(v128.load64_splat offset=${LAYOUT.PARAMS + 8 * F64_PARAMS.indexOf(p)} (i32.const 0))`)),
    set("vOneB1", op("f64x2.sub", k("one"), param("b1"))),
    set("vOneB2", op("f64x2.sub", k("one"), param("b2"))),
    set("max", k("negInf")),
    set("i", op("i32.mul", get("start"), `(i32.const ${16 * UNROLL})`)),
    set("end", op("i32.mul", op("i32.add", get("start"), get("count")), `(i32.const ${16 * UNROLL})`)),
  ];

  const lane = (/** @type {string} */ v) => op("f64.add", op("f64x2.extract_lane 0", get(v)), op("f64x2.extract_lane 1", get(v)));
  return `
  ;; One exact step, ${penalty} penalty, ${optimizer.toUpperCase()}.
  (func $${name} (export "${name}") (param $start i32) (param $count i32) (param $tail i32) (param $out i32)
${indent(locals, 4)}
${indent(init, 4)}
${loops(penalty, optimizer)}
    ;; results: the sums (lane 0 + lane 1) and max θ
${indent(
  SUMS.map((v, j) => `(f64.store offset=${8 * j} ${get("out")} ${lane(v)})`),
  4,
)}
    (f64.store offset=48 ${get("out")} (f64.max (f64x2.extract_lane 0 ${get("max")}) (f64x2.extract_lane 1 ${get("max")}))))
`;
}

/**
 * log(x): a port of fdlibm's __ieee754_log (error < 1 ulp), the algorithm of V8's Math.log (the
 * tests hold the two to the same bits). Scalar: run() takes one per step.
 */
function logFunction() {
  const f = (/** @type {number} */ x) => `(f64.const ${x})`;
  const ln2hi = f(6.9314718036912381649e-1);
  const ln2lo = f(1.90821492927058770002e-10);
  const [Lg1, Lg2, Lg3, Lg4, Lg5, Lg6, Lg7] = [
    6.66666666666673513e-1, 3.999999999940941908e-1, 2.857142874366239149e-1, 2.222219843214978396e-1, 1.818357216161805012e-1, 1.531383769920937332e-1,
    1.479819860511658591e-1,
  ].map(f);
  return `
  (func $log (export "log") (param $x f64) (result f64)
    (local $hx i32) (local $lx i32) (local $k i32) (local $i i32) (local $j i32)
    (local $f f64) (local $s f64) (local $z f64) (local $w f64) (local $R f64) (local $t1 f64) (local $t2 f64) (local $dk f64) (local $hfsq f64)
    (local.set $hx (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $x)) (i64.const 32))))
    (local.set $lx (i32.wrap_i64 (i64.reinterpret_f64 (local.get $x))))
    ;; x < 2^-1022: log(±0) = −Infinity, log(negative) = NaN, a subnormal is scaled by 2^54
    (if (i32.lt_s (local.get $hx) (i32.const 0x00100000))
      (then
        (if (i32.eqz (i32.or (i32.and (local.get $hx) (i32.const 0x7fffffff)) (local.get $lx))) (then (return (f64.const -inf))))
        (if (i32.lt_s (local.get $hx) (i32.const 0)) (then (return (f64.const nan))))
        (local.set $k (i32.const -54))
        (local.set $x (f64.mul (local.get $x) (f64.const 0x1p54)))
        (local.set $hx (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $x)) (i64.const 32))))))
    (if (i32.ge_s (local.get $hx) (i32.const 0x7ff00000)) (then (return (f64.add (local.get $x) (local.get $x)))))
    (local.set $k (i32.add (local.get $k) (i32.sub (i32.shr_s (local.get $hx) (i32.const 20)) (i32.const 1023))))
    (local.set $hx (i32.and (local.get $hx) (i32.const 0x000fffff)))
    (local.set $i (i32.and (i32.add (local.get $hx) (i32.const 0x95f64)) (i32.const 0x100000)))
    ;; normalise x or x/2 into [sqrt(2)/2, sqrt(2)): high word = hx | (i ^ 0x3ff00000)
    (local.set $x (f64.reinterpret_i64 (i64.or
      (i64.shl (i64.extend_i32_u (i32.or (local.get $hx) (i32.xor (local.get $i) (i32.const 0x3ff00000)))) (i64.const 32))
      (i64.and (i64.reinterpret_f64 (local.get $x)) (i64.const 0xffffffff)))))
    (local.set $k (i32.add (local.get $k) (i32.shr_s (local.get $i) (i32.const 20))))
    (local.set $f (f64.sub (local.get $x) (f64.const 1)))
    ;; |f| < 2^-20
    (if (i32.lt_s (i32.and (i32.const 0x000fffff) (i32.add (i32.const 2) (local.get $hx))) (i32.const 3))
      (then
        (if (f64.eq (local.get $f) (f64.const 0))
          (then
            (if (i32.eqz (local.get $k)) (then (return (f64.const 0))))
            (local.set $dk (f64.convert_i32_s (local.get $k)))
            (return (f64.add (f64.mul (local.get $dk) ${ln2hi}) (f64.mul (local.get $dk) ${ln2lo})))))
        (local.set $R (f64.mul (f64.mul (local.get $f) (local.get $f)) (f64.sub (f64.const 0.5) (f64.mul (f64.const 0.33333333333333333) (local.get $f)))))
        (if (i32.eqz (local.get $k)) (then (return (f64.sub (local.get $f) (local.get $R)))))
        (local.set $dk (f64.convert_i32_s (local.get $k)))
        (return (f64.sub (f64.mul (local.get $dk) ${ln2hi}) (f64.sub (f64.sub (local.get $R) (f64.mul (local.get $dk) ${ln2lo})) (local.get $f))))))
    (local.set $s (f64.div (local.get $f) (f64.add (f64.const 2) (local.get $f))))
    (local.set $dk (f64.convert_i32_s (local.get $k)))
    (local.set $z (f64.mul (local.get $s) (local.get $s)))
    (local.set $i (i32.sub (local.get $hx) (i32.const 0x6147a)))
    (local.set $w (f64.mul (local.get $z) (local.get $z)))
    (local.set $j (i32.sub (i32.const 0x6b851) (local.get $hx)))
    (local.set $t1 (f64.mul (local.get $w) (f64.add ${Lg2} (f64.mul (local.get $w) (f64.add ${Lg4} (f64.mul (local.get $w) ${Lg6}))))))
    (local.set $t2 (f64.mul (local.get $z) (f64.add ${Lg1} (f64.mul (local.get $w) (f64.add ${Lg3} (f64.mul (local.get $w) (f64.add ${Lg5} (f64.mul (local.get $w) ${Lg7}))))))))
    (local.set $i (i32.or (local.get $i) (local.get $j)))
    (local.set $R (f64.add (local.get $t2) (local.get $t1)))
    (if (i32.gt_s (local.get $i) (i32.const 0))
      (then
        (local.set $hfsq (f64.mul (f64.mul (f64.const 0.5) (local.get $f)) (local.get $f)))
        (if (i32.eqz (local.get $k))
          (then (return (f64.sub (local.get $f) (f64.sub (local.get $hfsq) (f64.mul (local.get $s) (f64.add (local.get $hfsq) (local.get $R))))))))
        (return (f64.sub (f64.mul (local.get $dk) ${ln2hi})
          (f64.sub (f64.sub (local.get $hfsq) (f64.add (f64.mul (local.get $s) (f64.add (local.get $hfsq) (local.get $R))) (f64.mul (local.get $dk) ${ln2lo}))) (local.get $f)))))
      (else
        (if (i32.eqz (local.get $k)) (then (return (f64.sub (local.get $f) (f64.mul (local.get $s) (f64.sub (local.get $f) (local.get $R)))))))
        (return (f64.sub (f64.mul (local.get $dk) ${ln2hi})
          (f64.sub (f64.sub (f64.mul (local.get $s) (f64.sub (local.get $f) (local.get $R))) (f64.mul (local.get $dk) ${ln2lo})) (local.get $f))))))
    unreachable)
`;
}

/**
 * n SGD or Adam steps in a row at a fixed β (the common case: a fixed controller), each one step()'s
 * chunk over the whole vocabulary followed by evaluatePolicy's finish — the same operations
 * fast-stepper.ts does in JavaScript — writing the metrics of every step to `rows` (ROW, 8 f64 per
 * step) and the next step's parameters to the block. Adam's bias corrections of step t are entry t
 * of the table at `bias` (contract.mjs BIAS, filled by the caller from the optimiser's tick()).
 * Stops after a step whose max θ moved more than 32 from the shift, or whose metrics are not all
 * finite, with its θ applied but its row not written; returns the number of rows written (n when it
 * did not stop).
 * @param {"reverse" | "forward"} penalty @param {"sgd" | "adam"} optimizer
 */
function runFunction(penalty, optimizer) {
  const P = (/** @type {string} */ slot) => LAYOUT.PARAMS + 8 * F64_PARAMS.indexOf(slot);
  const load = (/** @type {string} */ slot) => `(f64.load offset=${P(slot)} (i32.const 0))`;
  const store = (/** @type {string} */ slot, /** @type {string} */ value) => `(f64.store offset=${P(slot)} (i32.const 0) ${value})`;
  const out = (/** @type {number} */ j) => `(f64.load offset=${8 * j} (local.get $out))`;
  const row = (/** @type {string} */ name, /** @type {string} */ value) => `(f64.store offset=${8 * ROW.indexOf(name)} (local.get $row) ${value})`;
  const finite = (/** @type {string} */ v) => `(f64.lt (f64.abs ${v}) (f64.const inf))`;
  const { kl, mean } = PENALTY_FORMULAS[penalty];
  return `
  (func (export "run_${penalty}_${optimizer}") (param $n i32) (param $rows i32) (param $groups i32) (param $tail i32) (param $out i32) (param $bias i32) (result i32)
    (local $t i32) (local $row i32) (local $M f64) (local $max f64) (local $z f64) (local $invZ f64) (local $lz f64) (local $beta f64)
    (local $reward f64) (local $rkl f64) (local $fkl f64) (local $ent f64) (local $kl f64)
    (local.set $beta ${load("beta")})
    (block $stop
      (loop $next
        (br_if $stop (i32.ge_u (local.get $t) (local.get $n)))
        (local.set $M ${load("M")})${
          optimizer === "adam"
            ? BIAS.map(
                (slot, j) =>
                  `\n        ${store(slot, `(f64.load offset=${8 * j} (i32.add (local.get $bias) (i32.mul (local.get $t) (i32.const ${8 * BIAS.length}))))`)}`,
              ).join("")
            : ""
        }
        (call $step_${penalty}_${optimizer} (i32.const 0) (local.get $groups) (local.get $tail) (local.get $out))
        (local.set $max ${out(6)})
        ;; |max − M| > 32 or not finite: the caller finishes this step
        (br_if $stop (i32.eqz (f64.le (f64.abs (f64.sub (local.get $max) (local.get $M))) (f64.const ${SHIFT_SLACK}))))
        (local.set $z ${out(0)})
        (local.set $invZ (f64.div (f64.const 1) (local.get $z)))
        (local.set $lz (call $log (local.get $z)))
        (local.set $reward (f64.mul ${out(1)} (local.get $invZ)))
        (local.set $rkl (f64.sub (f64.mul ${out(4)} (local.get $invZ)) (local.get $lz)))
        (local.set $fkl (f64.add ${out(5)} (local.get $lz)))
        (local.set $ent (f64.sub (local.get $lz) (f64.mul ${out(3)} (local.get $invZ))))
        (local.set $kl (f64.max (local.get ${kl}) (f64.const 0)))
        ;; anything non-finite: the caller finishes this step (and reports it)
        (br_if $stop (i32.eqz (i32.and (i32.and (i32.and ${finite("(local.get $reward)")} ${finite("(local.get $rkl)")})
          (i32.and ${finite("(local.get $fkl)")} ${finite("(local.get $ent)")}))
          (i32.and ${finite(`(f64.mul ${out(2)} (local.get $invZ))`)} ${finite("(f64.sub (local.get $reward) (f64.mul (local.get $beta) (local.get $kl)))")}))))
        (local.set $row (i32.add (local.get $rows) (i32.shl (local.get $t) (i32.const 6))))
        ${row("reward", "(local.get $reward)")}
        ${row("gold", `(f64.mul ${out(2)} (local.get $invZ))`)}
        ${row("reverseKL", "(local.get $rkl)")}
        ${row("forwardKL", "(local.get $fkl)")}
        ${row("entropy", "(local.get $ent)")}
        ${row("logZ", "(f64.add (local.get $M) (local.get $lz))")}
        ${row("maxTheta", "(local.get $max)")}
        ${row("invZ", "(local.get $invZ)")}
        ;; the next step's parameters
        ${store("invZ", "(local.get $invZ)")}
        ${store("logZ", "(f64.add (local.get $M) (local.get $lz))")}
        ${store("mean", mean("(local.get $reward)", "(local.get $beta)", "(local.get $rkl)"))}
        ${store("M", "(local.get $max)")}
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $next)))
    (local.get $t))
`;
}

/**
 * exp of n doubles (n even) from byte offset x to byte offset out, for testing exp alone: "exp" the full
 * range, "exp_step" as the step kernels compute it (for x ≤ 600; the tests compare the two).
 * @param {string} name @param {boolean} full
 */
function expFunction(name, full) {
  return `
  (func (export "${name}") (param $x i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $ey v128) (local $K v128) (local $K2 v128) ${EXP_LOCALS.map((l) => `(local $${l} v128)`).join(" ")}
    (local.set $end (i32.shl ${get("n")} (i32.const 3)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u ${get("i")} ${get("end")}))
${expStatements(`(v128.load (i32.add ${get("x")} ${get("i")}))`, "ey", "", full)
  .map((l) => "        " + l)
  .join("\n")}
        (v128.store (i32.add ${get("out")} ${get("i")}) ${get("ey")})
        (local.set $i (i32.add ${get("i")} (i32.const 16)))
        (br $next))))
`;
}

/** The kernel's WebAssembly text. */
export function kernelWat() {
  if (MORE_CONSTANTS < LAYOUT.OUT + 2 * OUT_SLOT || constantOffset(CONSTANT_NAMES.length) > LAYOUT.CONTROL)
    throw new Error("the constants overlap the result slots or the control words");
  return `;; Generated by src/engine/kernel-wat.mjs: edit that file, not this text.
(module
  (import "env" "memory" (memory 1 65536 shared))
  ${constantData()}
  (global (export "VERSION") i32 (i32.const ${KERNEL_VERSION}))
  (global (export "PARAMS") i32 (i32.const ${LAYOUT.PARAMS}))
  (global (export "MASKS") i32 (i32.const ${LAYOUT.MASKS}))
  (global (export "OUT") i32 (i32.const ${LAYOUT.OUT}))
  (global (export "CONTROL") i32 (i32.const ${LAYOUT.CONTROL}))
  (global (export "ARRAYS") i32 (i32.const ${LAYOUT.ARRAYS}))
  (global (export "GROUP") i32 (i32.const ${GROUP}))
${KERNEL_OPTIMIZERS.flatMap((optimizer) => KERNEL_PENALTIES.map((penalty) => stepFunction(penalty.name, optimizer))).join("\n")}
${expFunction("exp", true)}
${expFunction("exp_step", false)}
${logFunction()}
${KERNEL_OPTIMIZERS.flatMap((optimizer) => KERNEL_PENALTIES.map((penalty) => runFunction(penalty.name, optimizer))).join("\n")}
)
`;
}

/**
 * The kernel's binary, compiled from kernelWat() with wabt (a development dependency, used by the
 * build and the tests only).
 * @returns {Promise<Uint8Array>}
 */
export async function compileKernel() {
  const { default: wabtInit } = await import("wabt");
  const wabt = await wabtInit();
  const features = { simd: true, threads: true }; // threads: the memory is shared with a helper worker
  const module = wabt.parseWat("kernel.wat", kernelWat(), features);
  try {
    // @ts-expect-error: wabt's types omit validate's features argument
    module.validate(features);
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
