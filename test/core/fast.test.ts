/**
 * The fast path (src/core/fast: the fused WebAssembly SIMD step) against the plain formulas of
 * src/core/objective.ts, optimizers.ts and divergences.ts, to 1e-12 on random instances; and
 * whole trajectories of a fast Simulation against a plain one; for the WebAssembly kernel alone and
 * with the native one (src/core/fast/native) taking the SGD steps. Both kernels are compiled here
 * from their sources, as the build does. No timings: those are `klsim bench`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adaptiveBeta } from "../../src/core/controllers.js";
import { logSoftmaxOf, logSumExp, softmaxOf } from "../../src/core/distributions.js";
import { entropy, klDivergence } from "../../src/core/divergences.js";
import { FastExact, PARALLEL_MIN } from "../../src/core/fast/exact.js";
import { compileKernel, GROUP } from "../../src/core/fast/kernel-wat.mjs";
import { setNativeKernel, type NativeKernel } from "../../src/core/fast/native.js";
import { instantiateKernel, kernelAvailable, LAYOUT, setKernel } from "../../src/core/fast/wasm.js";
import { forwardGradientInto, forwardKLOf, reverseGradientInto, reverseKLOf, type Penalty } from "../../src/core/objective.js";
import { Adam, Sgd, type OptimizerConfig } from "../../src/core/optimizers.js";
import { evaluatePolicy, makeProblem, type Problem } from "../../src/core/policy.js";
import { RECORD_FIELDS } from "../../src/sim/record.js";
import { Simulation, type SimConfig } from "../../src/sim/simulation.js";
import { buildNativeKernel } from "../helpers/native.js";
import { seededRandom } from "../helpers/random.js";
import { ulps } from "../helpers/ulps.js";

let kernel: Uint8Array;
beforeAll(async () => {
  kernel = await compileKernel();
  setKernel(kernel);
});
afterAll(() => setKernel(null));

const SGD: OptimizerConfig = { kind: "sgd", lr: 0.7 };
const ADAM: OptimizerConfig = { kind: "adam", lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
// odd V and V not a multiple of the kernel's group exercise the masked tail
const SIZES = [2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 64, 100, 257, 1001];

function randomProblem(rand: () => number, V: number, gold = true): Problem {
  return makeProblem(
    Array.from({ length: V }, () => Math.exp(3 * rand() - 1.5)),
    Array.from({ length: V }, () => 2 * rand() - 1),
    gold ? Array.from({ length: V }, () => rand()) : null,
  );
}

/** The plain reference for one step from θ: the formulas of objective.ts and a plain optimiser. */
function plainStep(problem: Problem, theta: Float64Array, penalty: Penalty, beta: number, optimizer: Sgd | Adam) {
  const pi = softmaxOf(theta);
  const logPi = logSoftmaxOf(theta);
  const grad = new Float64Array(problem.V);
  if (penalty === "reverse") reverseGradientInto(pi, logPi, problem.logRef, problem.reward, beta, grad);
  else forwardGradientInto(pi, problem.ref, problem.reward, beta, grad);
  const next = theta.slice();
  optimizer.step(next, grad);
  const nextPi = softmaxOf(next);
  const nextLogPi = logSoftmaxOf(next);
  let reward = 0;
  let gold = 0;
  let h = 0;
  for (let i = 0; i < problem.V; i++) {
    reward += nextPi[i]! * problem.reward[i]!;
    gold += nextPi[i]! * (problem.gold ?? problem.reward)[i]!;
    if (nextPi[i]! > 0) h -= nextPi[i]! * nextLogPi[i]!;
  }
  return {
    grad,
    theta: next,
    pi: nextPi,
    logZ: logSumExp(next),
    reward,
    gold,
    reverseKL: reverseKLOf(nextPi, nextLogPi, problem.logRef),
    forwardKL: forwardKLOf(problem.ref, nextLogPi, problem.logRef),
    entropy: h,
  };
}

/** A fast stepper on `problem` started at θ (evaluated by the plain evaluatePolicy, as Simulation does). */
function fastAt(problem: Problem, theta: Float64Array, optimizer: OptimizerConfig): FastExact {
  const fast = FastExact.create(problem, optimizer);
  if (!fast) throw new Error("the kernel did not load");
  fast.state.theta.set(theta);
  fast.state.maxTheta = Math.max(...theta);
  evaluatePolicy(problem, fast.state);
  return fast;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  expect(worst, what).toBeLessThanOrEqual(tolerance);
}

describe("the WebAssembly kernel", () => {
  it("loads, and the plain path is the fallback when it does not", () => {
    expect(kernelAvailable()).toBe(true);
    setKernel(null);
    expect(FastExact.create(randomProblem(seededRandom(1), 4), SGD)).toBeNull();
    const sim = new Simulation(randomProblem(seededRandom(1), 4), { penalty: "reverse", beta: 0.1, controller: { kind: "fixed" }, optimizer: SGD });
    sim.step(10);
    expect(sim.state.pi.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(sim.state.theta.buffer.byteLength).toBe(4 * 8); // plain arrays, not the kernel's memory
    setKernel(kernel);
  });

  it("computes exp within 1 ulp of Math.exp (the same bits almost everywhere), with exact special values", () => {
    // (a polynomial, not fdlibm's rational: both misround ~9% of [−745, 0], within 0.83 ulp of the
    // true value, mostly on the same inputs; the two give different bits ~2% of the time)
    const n = 1 << 16;
    const base = LAYOUT.ARRAYS; // below it: the kernel's constants and parameters
    const instance = instantiateKernel(base + 2 * n * 8)!;
    const buffer = instance.buffer;
    const x = new Float64Array(buffer, base, n);
    const y = new Float64Array(buffer, base + n * 8, n);
    const rand = seededRandom(7);
    const ranges: Array<[number, number]> = [
      [-1e-9, 1e-9],
      [-0.35, 0.35],
      [-1, 1],
      [-40, 40],
      [-708.5, -700],
      [-745.2, -708],
      [700, 709.78],
      [-800, 720],
    ];
    let differing = 0;
    let total = 0;
    for (const [lo, hi] of ranges) {
      for (let i = 0; i < n; i++) x[i] = lo + (hi - lo) * rand();
      instance.kernel.exp(base, base + n * 8, n);
      for (let i = 0; i < n; i++) {
        const d = ulps(y[i]!, Math.exp(x[i]!));
        expect(d, `exp(${x[i]})`).toBeLessThanOrEqual(1);
        if (d) differing++;
      }
      total += n;
    }
    expect(differing / total).toBeLessThan(0.03);
    const special = [NaN, Infinity, -Infinity, 0, -0, 709.782712893384, 709.79, -745.13321910194, -745.2, -1e4, 1e4, 1e-300, -708.4];
    x.fill(0);
    x.set(special);
    instance.kernel.exp(base, base + n * 8, 16);
    special.forEach((v, i) => expect(Object.is(y[i], Math.exp(v)) || ulps(y[i]!, Math.exp(v)) === 0, `exp(${v}) = ${y[i]}`).toBe(true));
  });

  it("computes exp in the step kernels with the same bits as the exp export (x ≤ 600), subnormals and −Infinity included", () => {
    const n = 1 << 16;
    const base = LAYOUT.ARRAYS;
    const instance = instantiateKernel(base + 3 * n * 8)!;
    const kernel = instance.kernel as typeof instance.kernel & { exp_step(x: number, out: number, n: number): void };
    const x = new Float64Array(instance.buffer, base, n);
    const full = new Float64Array(instance.buffer, base + n * 8, n);
    const step = new Float64Array(instance.buffer, base + 2 * n * 8, n);
    const rand = seededRandom(9);
    for (const [lo, hi] of [
      [-745.2, 0],
      [-760, -700],
      [-0.35, 0.35],
      [-40, 32],
      [550, 600],
    ] as Array<[number, number]>) {
      for (let i = 0; i < n; i++) x[i] = lo + (hi - lo) * rand();
      kernel.exp(base, base + n * 8, n);
      kernel.exp_step(base, base + 2 * n * 8, n);
      for (let i = 0; i < n; i++) if (!Object.is(step[i], full[i])) expect(step[i], `exp_step(${x[i]})`).toBe(full[i]);
    }
    const special = [NaN, -Infinity, 0, -0, -745.13321910194, -745.2, -746, -1e4, -1e308, -708.39641853226408, -708.4, -1e-300, 1e-300];
    x.fill(0);
    x.set(special);
    kernel.exp_step(base, base + 2 * n * 8, 16);
    special.forEach((v, i) => expect(Object.is(step[i], Math.exp(v)), `exp_step(${v}) = ${step[i]}`).toBe(true));
  });

  it("computes log with the same bits as Math.log (the batched steps take one per step)", () => {
    const { kernel } = instantiateKernel(LAYOUT.ARRAYS)!;
    const rand = seededRandom(8);
    const special = [
      0,
      -0,
      -1,
      1,
      Infinity,
      -Infinity,
      NaN,
      5e-324,
      2.2250738585072014e-308,
      1 + 2 ** -52,
      1 - 2 ** -53,
      Math.SQRT2,
      Math.SQRT1_2,
      Number.MAX_VALUE,
    ];
    const inputs = [...special];
    for (let i = 0; i < 20000; i++) inputs.push(Math.exp(1400 * rand() - 700), 1 + (rand() - 0.5) * 1e-5, 0.5 + rand(), 16 * rand());
    for (const x of inputs) expect(Object.is(kernel.log(x), Math.log(x)), `log(${x}) = ${kernel.log(x)}, Math.log ${Math.log(x)}`).toBe(true);
  });

  it(`groups ${GROUP} tokens per iteration (the tests use sizes on both sides of it)`, () => {
    expect(SIZES.some((V) => V % GROUP !== 0 && V > GROUP)).toBe(true);
  });
});

/** The engines under test: the WebAssembly kernel alone, then with the native kernel taking the
 *  SGD steps (Adam stays on WebAssembly). The same expectations hold for both. */
const native = buildNativeKernel();
const ENGINES: Array<[string, NativeKernel | null]> = [
  ["WebAssembly kernel", null],
  ["native kernel", native.kernel],
];

for (const [engine, nativeKernelUnderTest] of ENGINES) {
  describe.skipIf(engine === "native kernel" && !native.kernel)(`${engine}${native.kernel ? "" : ` (skipped: ${native.reason})`}`, () => {
    beforeAll(() => setNativeKernel(nativeKernelUnderTest));
    afterAll(() => setNativeKernel(null));

    it("runs the SGD steps on the kernel named", () => {
      const fast = FastExact.create(randomProblem(seededRandom(3), 9), SGD)!;
      expect(fast.kernel).toBe(nativeKernelUnderTest ? `native-${nativeKernelUnderTest.isa}` : "wasm-simd");
      expect(FastExact.create(randomProblem(seededRandom(3), 9), ADAM)!.kernel).toBe("wasm-simd");
    });

    describe("one fused step equals the plain formulas to 1e-12", () => {
      const rand = seededRandom(20260);
      for (const optimizer of [SGD, ADAM]) {
        for (const penalty of ["reverse", "forward"] as const) {
          it(`${penalty} penalty, ${optimizer.kind}, random θ and V from 2 to 1001`, () => {
            for (const V of SIZES) {
              for (let trial = 0; trial < 3; trial++) {
                const problem = randomProblem(rand, V, trial !== 1);
                const theta = Float64Array.from({ length: V }, () => 12 * rand() - 6);
                const beta = trial === 2 ? 0 : 0.02 + 2 * rand();
                const plain = plainStep(problem, theta, penalty, beta, optimizer.kind === "sgd" ? new Sgd(optimizer) : new Adam(optimizer, V));
                const fast = fastAt(problem, theta, optimizer);
                fast.step(penalty, beta);
                fast.sync();
                const s = fast.state;
                const what = `V=${V} trial ${trial}`;
                expectClose(s.grad, plain.grad, 1e-12, `${what} gradient`);
                expectClose(s.theta, plain.theta, 1e-12, `${what} θ`);
                expectClose(s.pi, plain.pi, 1e-12, `${what} π`);
                expect(Math.abs(s.maxTheta - Math.max(...plain.theta)), what).toBeLessThan(1e-12);
                expectClose(
                  [s.logZ, s.reward, s.reverseKL, s.forwardKL, s.entropy],
                  [plain.logZ, plain.reward, plain.reverseKL, plain.forwardKL, plain.entropy],
                  1e-12,
                  `${what} metrics`,
                );
                if (problem.gold) expect(Math.abs(s.goldReward - plain.gold), what).toBeLessThan(1e-12);
                else expect(s.goldReward).toBeNaN();
                // the divergences agree with the definitions on probabilities too
                expect(Math.abs(Math.max(0, s.reverseKL) - klDivergence(plain.pi, problem.ref)), what).toBeLessThan(1e-12);
                expect(Math.abs(Math.max(0, s.entropy) - entropy(plain.pi)), what).toBeLessThan(1e-12);
              }
            }
          });
        }
      }

      it("extreme logits (±700), and a step whose max jumps far (the plain re-evaluation)", () => {
        let jumps = 0;
        for (const V of [2, 3, 9, 17, 100]) {
          const problem = randomProblem(rand, V);
          for (const [spread, lr] of [
            [700, 0.5],
            [700, 1e3],
            [1, 2e3],
          ] as const) {
            const theta = Float64Array.from({ length: V }, (_, i) => (i % 3 === 0 ? spread : -spread) * rand());
            theta[V - 1] = -spread; // the padded tail too
            for (const penalty of ["reverse", "forward"] as const) {
              const optimizer: OptimizerConfig = { kind: "sgd", lr };
              const plain = plainStep(problem, theta, penalty, 0.3, new Sgd(optimizer));
              const fast = fastAt(problem, theta, optimizer);
              fast.step(penalty, 0.3);
              fast.sync();
              if (Math.abs(fast.state.maxTheta - Math.max(...theta)) > 32) jumps++;
              const what = `V=${V} spread ${spread} lr ${lr} ${penalty}`;
              expectClose(fast.state.theta, plain.theta, 1e-12, `${what} θ`);
              expectClose(fast.state.pi, plain.pi, 1e-12, `${what} π`);
              expectClose(
                [fast.state.reward, fast.state.reverseKL, fast.state.forwardKL, fast.state.entropy],
                [plain.reward, plain.reverseKL, plain.forwardKL, plain.entropy],
                1e-12,
                `${what} metrics`,
              );
            }
          }
        }
        expect(jumps).toBeGreaterThan(0);
      });

      it("logits spread over 760 nats (exps from 1 down through the subnormals to 0), several steps", () => {
        for (const V of [9, 64, 257]) {
          for (const penalty of ["reverse", "forward"] as const) {
            const problem = randomProblem(rand, V);
            let theta = Float64Array.from({ length: V }, () => -760 * rand());
            theta[0] = 0;
            const sgd = new Sgd(SGD);
            const fast = fastAt(problem, theta, SGD);
            for (let t = 0; t < 5; t++) {
              const plain = plainStep(problem, theta, penalty, 0.3, sgd);
              fast.step(penalty, 0.3);
              fast.sync();
              const what = `V=${V} ${penalty} step ${t + 1}`;
              expectClose(fast.state.theta, plain.theta, 1e-12, `${what} θ`);
              expectClose(fast.state.pi, plain.pi, 1e-12, `${what} π`);
              expectClose(
                [fast.state.logZ, fast.state.reward, fast.state.reverseKL, fast.state.forwardKL, fast.state.entropy],
                [plain.logZ, plain.reward, plain.reverseKL, plain.forwardKL, plain.entropy],
                1e-12,
                `${what} metrics`,
              );
              theta = plain.theta;
            }
          }
        }
      });
    });

    describe("a fast Simulation follows the plain one", () => {
      const configs: Array<[string, Partial<SimConfig>]> = [
        ["reverse, SGD", { penalty: "reverse", optimizer: { kind: "sgd", lr: 1 } }],
        ["forward, SGD", { penalty: "forward", optimizer: { kind: "sgd", lr: 1 } }],
        ["reverse, Adam", { penalty: "reverse", optimizer: ADAM }],
        ["forward, Adam, adaptive β", { penalty: "forward", optimizer: ADAM, controller: { kind: "adaptive", target: 0.5, horizon: 100 } }],
      ];
      for (const [name, partial] of configs) {
        it(`${name}: every record and the final π to 1e-10 over 3000 steps`, () => {
          const rand = seededRandom(name.length);
          for (const V of [3, 16, 33]) {
            const problem = randomProblem(rand, V);
            const config: SimConfig = { penalty: "reverse", beta: 0.2, controller: { kind: "fixed" }, optimizer: SGD, ...partial };
            const fast = new Simulation(problem, { ...config, engine: "fast" });
            const plain = new Simulation(problem, { ...config, engine: "plain" });
            expect(fast.state.theta.buffer.byteLength).toBeGreaterThanOrEqual(65536); // the kernel's memory
            expect(plain.state.theta.buffer.byteLength).toBe(V * 8);
            const rowsFast: number[][] = [];
            const rowsPlain: number[][] = [];
            for (let chunk = 0; chunk < 30; chunk++) {
              fast.step(100, (row) => rowsFast.push(Array.from(row)));
              plain.step(100, (row) => rowsPlain.push(Array.from(row)));
              if (chunk === 10) {
                fast.setBeta(0.05); // a TUI key press between batches
                plain.setBeta(0.05);
              }
              expectClose(fast.state.pi, plain.state.pi, 1e-10, `${name} V=${V} π after ${fast.currentStep} steps`);
            }
            expect(rowsFast.length).toBe(3000);
            for (let t = 0; t < rowsFast.length; t++) {
              const a = rowsFast[t]!.map((x) => (Number.isNaN(x) ? 0 : x));
              const b = rowsPlain[t]!.map((x) => (Number.isNaN(x) ? 0 : x));
              expectClose(a, b, 1e-10, `${name} V=${V} record ${t + 1}`);
            }
            expectClose(fast.state.theta, plain.state.theta, 1e-10, `${name} V=${V} θ`);
            expect(fast.state.pi.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 13);
            // a reset replays the same trajectory
            const first = fast.state.pi.slice();
            fast.reset();
            fast.step(1100);
            fast.setBeta(0.05);
            fast.step(1900);
            expectClose(fast.state.pi, first, 0, `${name} V=${V} after reset`);
          }
        });
      }

      it("keeps the same chart history as the plain path when no one reads the rows (the points go straight from the kernel)", () => {
        const rand = seededRandom(77);
        for (const [V, penalty, gold] of [
          [16, "reverse", true],
          [33, "forward", false],
        ] as const) {
          const problem = randomProblem(rand, V, gold);
          const config: SimConfig = { penalty, beta: 0.2, controller: { kind: "fixed" }, optimizer: SGD, historyCapacity: 64 };
          const fast = new Simulation(problem, { ...config, engine: "fast" });
          const plain = new Simulation(problem, { ...config, engine: "plain" });
          for (const n of [1, 7, 300, 1000, 1692]) {
            fast.step(n); // no row callback
            plain.step(n, () => {});
          }
          expect(fast.currentStep).toBe(3000);
          expect(fast.history.length).toBe(plain.history.length);
          expect(fast.history.stride).toBe(64); // compacted: 3000 steps in at most 64 points
          for (let f = 0; f < RECORD_FIELDS.length; f++) {
            const a = Array.from(fast.history.column(f), (x) => (Number.isNaN(x) ? 0 : x));
            const b = Array.from(plain.history.column(f), (x) => (Number.isNaN(x) ? 0 : x));
            expectClose(a, b, 1e-10, `V=${V} ${RECORD_FIELDS[f]}`);
          }
          const finite = (row: Float64Array) => Array.from(row, (x) => (Number.isNaN(x) ? 0 : x));
          expectClose(finite(fast.row), finite(plain.row), 1e-10, `V=${V} current row`);
        }
      });

      it("the batched steps hand back a step whose max θ jumps, and it is finished as the plain path does", () => {
        const rand = seededRandom(31);
        let handedBack = 0;
        for (const V of [5, 16, 40]) {
          const problem = randomProblem(rand, V);
          const config: SimConfig = { penalty: "reverse", beta: 0.01, controller: { kind: "fixed" }, optimizer: { kind: "sgd", lr: 400 } };
          const fast = new Simulation(problem, { ...config, engine: "fast" });
          const plain = new Simulation(problem, { ...config, engine: "plain" });
          const kernel = (fast as unknown as { fast: FastExact }).fast;
          const finish = kernel.finishPending.bind(kernel);
          kernel.finishPending = () => {
            handedBack++;
            finish();
          };
          const a: number[][] = [];
          const b: number[][] = [];
          fast.step(300, (row) => a.push(Array.from(row, (x) => (Number.isNaN(x) ? 0 : x))));
          plain.step(300, (row) => b.push(Array.from(row, (x) => (Number.isNaN(x) ? 0 : x))));
          for (let t = 0; t < a.length; t++) expectClose(a[t]!, b[t]!, 1e-9, `V=${V} record ${t + 1}`);
          expectClose(fast.state.pi, plain.state.pi, 1e-9, `V=${V} π`);
        }
        expect(handedBack).toBeGreaterThan(0);
      });

      it("adaptive β follows the controller's formula on the fast path too", () => {
        const problem = randomProblem(seededRandom(5), 9);
        const sim = new Simulation(problem, { penalty: "reverse", beta: 0.3, controller: { kind: "adaptive", target: 0.2, horizon: 50 }, optimizer: SGD });
        const kl = Math.max(0, sim.state.reverseKL);
        sim.step(1);
        expect(sim.beta).toBeCloseTo(adaptiveBeta(0.3, kl, 0.2, 50, 1), 15);
      });

      it("diverges at the same step as the plain path, with the same message", () => {
        const problem = makeProblem([0.5, 0.3, 0.2], [1e300, -1e300, 0]);
        const config: SimConfig = { penalty: "reverse", beta: 0.1, controller: { kind: "fixed" }, optimizer: { kind: "sgd", lr: 1e10 } };
        const outcomes = (["fast", "plain"] as const).map((engine) => {
          const sim = new Simulation(problem, { ...config, engine });
          try {
            sim.step(50);
          } catch {
            // DivergenceError
          }
          return [sim.currentStep, sim.failed];
        });
        expect(outcomes[0]![1]).toMatch(/diverged at step/);
        expect(outcomes[0]).toEqual(outcomes[1]);
      });
    });

    describe("large vocabularies: two chunks, and a helper thread", () => {
      it("gives the same bits whoever runs the second chunk, step by step (the hand-off races included)", () => {
        const rand = seededRandom(7);
        const V = PARALLEL_MIN + 5;
        const problem = randomProblem(rand, V);
        const theta = Float64Array.from({ length: V }, () => 4 * rand() - 2);
        const alone = fastAt(problem, theta, SGD);
        const adaptive = FastExact.create(problem, SGD, { threads: true })!;
        adaptive.state.theta.set(theta);
        adaptive.state.maxTheta = Math.max(...theta);
        evaluatePolicy(problem, adaptive.state);
        for (let k = 0; k < 3000; k++) {
          alone.step("reverse", 0.1);
          adaptive.step("reverse", 0.1);
          if (k % 500 === 499) {
            alone.sync();
            adaptive.sync();
            expect(Array.from(adaptive.state.pi)).toEqual(Array.from(alone.state.pi));
            expect(adaptive.state.reverseKL).toBe(alone.state.reverseKL);
          }
        }
      });

      it("gives the same bits with the helper running every second chunk as without it, and follows the plain path", async () => {
        const rand = seededRandom(99);
        for (const [V, optimizer, penalty] of [
          [PARALLEL_MIN + 3, SGD, "reverse"],
          [2 * PARALLEL_MIN + 8, ADAM, "forward"],
        ] as const) {
          const problem = randomProblem(rand, V);
          const theta = Float64Array.from({ length: V }, () => 4 * rand() - 2);
          const alone = fastAt(problem, theta, optimizer);
          const helped = FastExact.create(problem, optimizer, { threads: "always" })!;
          helped.state.theta.set(theta);
          helped.state.maxTheta = Math.max(...theta);
          evaluatePolicy(problem, helped.state);
          const plain = new Simulation(problem, { penalty, beta: 0.2, controller: { kind: "fixed" }, optimizer, engine: "plain" });
          plain.state.theta.set(theta);
          plain.state.maxTheta = Math.max(...theta);
          evaluatePolicy(problem, plain.state);
          for (let k = 0; k < 200; k++) {
            alone.step(penalty, 0.2);
            helped.step(penalty, 0.2);
          }
          expect(helped.threaded).toBe(true);
          alone.sync();
          helped.sync();
          expect(Array.from(helped.state.theta)).toEqual(Array.from(alone.state.theta));
          expect(Array.from(helped.state.pi)).toEqual(Array.from(alone.state.pi));
          expect([helped.state.reward, helped.state.reverseKL, helped.state.forwardKL, helped.state.entropy]).toEqual([
            alone.state.reward,
            alone.state.reverseKL,
            alone.state.forwardKL,
            alone.state.entropy,
          ]);
          // and one step of each equals the plain formulas
          const before = helped.state.theta.slice();
          const reference = plainStep(problem, before, penalty, 0.2, optimizer.kind === "sgd" ? new Sgd(optimizer) : new Adam(optimizer, V));
          if (optimizer.kind === "sgd") {
            helped.step(penalty, 0.2);
            helped.sync();
            expectClose(helped.state.theta, reference.theta, 1e-12, `V=${V} θ`);
            expectClose(helped.state.pi, reference.pi, 1e-12, `V=${V} π`);
            expectClose([helped.state.reverseKL, helped.state.forwardKL], [reference.reverseKL, reference.forwardKL], 1e-12, `V=${V} KL`);
          }
        }
      });
    });
  });
}
