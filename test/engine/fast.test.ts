/**
 * The fast kernels (src/engine: the fused WebAssembly SIMD step, and the native one taking the SGD
 * steps) against the plain TypeScript reference — the registry's divergence formulas through the
 * softmax family (src/core/families/softmax.ts) and the plain optimisers — to 1e-12 on random
 * instances; and whole trajectories of a fast Simulation against a plain one. The whole suite runs
 * on each kernel. Both kernels are compiled here from their sources, as the build does. No
 * timings: those are `klsim bench`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adaptiveBeta } from "../../src/core/controllers.js";
import type { Divergence } from "../../src/core/divergence.js";
import { divergenceNamed } from "../../src/core/divergences/registry.js";
import { logSumExp, softmaxOf } from "../../src/core/distributions.js";
import { evaluatePolicy, SoftmaxFamily } from "../../src/core/families/softmax.js";
import { entropy, klDivergence } from "../../src/core/information.js";
import { emptyMetricRow } from "../../src/core/metric-row.js";
import { createOptimizer, type Optimizer, type OptimizerConfig } from "../../src/core/optimizers.js";
import { makeProblem, type Problem } from "../../src/core/problem.js";
import { type FastOptions, FastStepper, PARALLEL_MIN } from "../../src/engine/fast-stepper.js";
import { compileKernel } from "../../src/engine/kernel-wat.mjs";
import { setNativeKernel, type NativeKernel } from "../../src/engine/native.js";
import { LAYOUT } from "../../src/engine/contract.mjs";
import { instantiateKernel, kernelAvailable, setKernel } from "../../src/engine/wasm.js";
import { RECORD_FIELDS } from "../../src/sim/record.js";
import { Simulation, type SimConfig } from "../../src/sim/simulation.js";
import { buildNativeKernel } from "../helpers/native.js";
import { seededRandom } from "../helpers/random.js";
import { ulps } from "../helpers/ulps.js";

const REVERSE = divergenceNamed("reverse");
const FORWARD = divergenceNamed("forward");
const KERNEL_PENALTIES = [REVERSE, FORWARD];

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

/** The plain reference for one step from θ: the softmax family's exact gradient under the registry's entry, and a plain optimiser. */
function plainStep(problem: Problem, theta: Float64Array, penalty: Divergence, beta: number, optimizer: Optimizer) {
  const family = new SoftmaxFamily(problem);
  family.theta.set(theta);
  family.updated(Math.max(...theta));
  family.evaluate(penalty, emptyMetricRow());
  family.gradient(penalty, beta);
  const grad = family.grad.slice();
  const next = theta.slice();
  optimizer.step(next, grad);
  const nextPi = softmaxOf(next);
  const nextLogPi = Float64Array.from(next, (t) => t - logSumExp(next));
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
    reverseKL: REVERSE.value(nextPi, nextLogPi, problem.ref, problem.logRef),
    forwardKL: FORWARD.value(nextPi, nextLogPi, problem.ref, problem.logRef),
    entropy: h,
  };
}

/** A fast stepper on `problem` started at θ (evaluated by the plain evaluatePolicy, as the plain stepper leaves it). */
function fastAt(problem: Problem, theta: Float64Array, optimizer: OptimizerConfig, options: FastOptions = {}): FastStepper {
  const fast = FastStepper.create(problem, optimizer, options);
  if (!fast) throw new Error("the kernel did not load");
  fast.family.theta.set(theta);
  fast.family.updated(Math.max(...theta));
  evaluatePolicy(problem, fast.family.state);
  fast.refresh(REVERSE);
  return fast;
}

/** One step of the fast stepper, π normalised after it. */
function fastStep(fast: FastStepper, penalty: Divergence, beta: number): void {
  expect(fast.advance(penalty, beta, 1)).toBe(1);
  fast.policy();
}

const plainOptimizer = (config: OptimizerConfig, V: number) => createOptimizer(config, V);

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
    expect(FastStepper.create(randomProblem(seededRandom(1), 4), SGD, { native: false })).toBeNull();
    const sim = new Simulation(randomProblem(seededRandom(1), 4), {
      penalty: REVERSE,
      beta: 0.1,
      controller: { kind: "fixed" },
      optimizer: SGD,
      engine: "wasm",
    });
    sim.step(10);
    expect(sim.policy.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(sim.kernel).toBe("typescript");
    expect(sim.family.theta.buffer.byteLength).toBe(4 * 8); // plain arrays, not the kernel's memory
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
});

/** The engines under test: the WebAssembly kernel alone, then with the native kernel taking the
 *  steps (SGD and Adam). The same expectations hold for both. */
const native = buildNativeKernel();
const ENGINES: Array<[string, NativeKernel | null]> = [
  ["WebAssembly kernel", null],
  ["native kernel", native.kernel],
];

for (const [engine, nativeKernelUnderTest] of ENGINES) {
  describe.skipIf(engine === "native kernel" && !native.kernel)(`${engine}${native.kernel ? "" : ` (skipped: ${native.reason})`}`, () => {
    beforeAll(() => setNativeKernel(nativeKernelUnderTest));
    afterAll(() => setNativeKernel(null));

    it("runs the SGD and Adam steps on the kernel named", () => {
      const named = nativeKernelUnderTest ? `native-${nativeKernelUnderTest.isa}` : "wasm-simd";
      expect(FastStepper.create(randomProblem(seededRandom(3), 9), SGD)!.kernel).toBe(named);
      expect(FastStepper.create(randomProblem(seededRandom(3), 9), ADAM)!.kernel).toBe(named);
    });

    describe("one fused step equals the plain formulas to 1e-12", () => {
      const rand = seededRandom(20260);
      for (const optimizer of [SGD, ADAM]) {
        for (const penalty of KERNEL_PENALTIES) {
          it(`${penalty.name} penalty, ${optimizer.kind}, random θ and V from 2 to 1001`, () => {
            for (const V of SIZES) {
              for (let trial = 0; trial < 3; trial++) {
                const problem = randomProblem(rand, V, trial !== 1);
                const theta = Float64Array.from({ length: V }, () => 12 * rand() - 6);
                const beta = trial === 2 ? 0 : 0.02 + 2 * rand();
                const plain = plainStep(problem, theta, penalty, beta, plainOptimizer(optimizer, V));
                const fast = fastAt(problem, theta, optimizer);
                fastStep(fast, penalty, beta);
                const s = fast.family.state;
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
            for (const penalty of KERNEL_PENALTIES) {
              const optimizer: OptimizerConfig = { kind: "sgd", lr };
              const plain = plainStep(problem, theta, penalty, 0.3, plainOptimizer(optimizer, V));
              const fast = fastAt(problem, theta, optimizer);
              fastStep(fast, penalty, 0.3);
              if (Math.abs(fast.family.state.maxTheta - Math.max(...theta)) > 32) jumps++;
              const what = `V=${V} spread ${spread} lr ${lr} ${penalty.name}`;
              expectClose(fast.family.state.theta, plain.theta, 1e-12, `${what} θ`);
              expectClose(fast.family.state.pi, plain.pi, 1e-12, `${what} π`);
              expectClose(
                [fast.family.state.reward, fast.family.state.reverseKL, fast.family.state.forwardKL, fast.family.state.entropy],
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
          for (const penalty of KERNEL_PENALTIES) {
            const problem = randomProblem(rand, V);
            let theta = Float64Array.from({ length: V }, () => -760 * rand());
            theta[0] = 0;
            const sgd = plainOptimizer(SGD, V);
            const fast = fastAt(problem, theta, SGD);
            for (let t = 0; t < 5; t++) {
              const plain = plainStep(problem, theta, penalty, 0.3, sgd);
              fastStep(fast, penalty, 0.3);
              const what = `V=${V} ${penalty.name} step ${t + 1}`;
              expectClose(fast.family.state.theta, plain.theta, 1e-12, `${what} θ`);
              expectClose(fast.family.state.pi, plain.pi, 1e-12, `${what} π`);
              expectClose(
                [fast.family.state.logZ, fast.family.state.reward, fast.family.state.reverseKL, fast.family.state.forwardKL, fast.family.state.entropy],
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
        ["reverse, SGD", { penalty: REVERSE, optimizer: { kind: "sgd", lr: 1 } }],
        ["forward, SGD", { penalty: FORWARD, optimizer: { kind: "sgd", lr: 1 } }],
        ["reverse, Adam", { penalty: REVERSE, optimizer: ADAM }],
        ["forward, Adam, adaptive β", { penalty: FORWARD, optimizer: ADAM, controller: { kind: "adaptive", target: 0.5, horizon: 100 } }],
        ["reverse → js → forward, Adam (the plain stepper takes js on the kernel's state)", { penalty: REVERSE, optimizer: ADAM }],
      ];
      for (const [name, partial] of configs) {
        it(`${name}: every record and the final π to 1e-10 over 3000 steps`, () => {
          const rand = seededRandom(name.length);
          for (const V of [3, 16, 33]) {
            const problem = randomProblem(rand, V);
            const config: SimConfig = { penalty: REVERSE, beta: 0.2, controller: { kind: "fixed" }, optimizer: SGD, ...partial };
            const fast = new Simulation(problem, { ...config, engine: "fast" });
            const plain = new Simulation(problem, { ...config, engine: "plain" });
            expect(fast.family.theta.buffer.byteLength).toBeGreaterThanOrEqual(65536); // the kernel's memory
            expect(plain.family.theta.buffer.byteLength).toBe(V * 8);
            const switching = name.includes("js");
            const penaltyAt = (chunk: number) => (chunk === 5 ? divergenceNamed("js") : chunk === 20 ? FORWARD : null);
            const rowsFast: number[][] = [];
            const rowsPlain: number[][] = [];
            for (let chunk = 0; chunk < 30; chunk++) {
              fast.step(100, (row) => rowsFast.push(Array.from(row)));
              plain.step(100, (row) => rowsPlain.push(Array.from(row)));
              if (chunk === 10) {
                fast.setBeta(0.05); // a TUI key press between batches
                plain.setBeta(0.05);
              }
              const next = switching ? penaltyAt(chunk) : null;
              if (next) {
                fast.setPenalty(next); // the kernels take reverse and forward; js goes to the plain stepper
                plain.setPenalty(next);
                expect(fast.kernel === "typescript").toBe(next.name === "js");
              }
              expectClose(fast.policy, plain.policy, 1e-10, `${name} V=${V} π after ${fast.currentStep} steps`);
            }
            expect(rowsFast.length).toBe(3000);
            for (let t = 0; t < rowsFast.length; t++) {
              const a = rowsFast[t]!.map((x) => (Number.isNaN(x) ? 0 : x));
              const b = rowsPlain[t]!.map((x) => (Number.isNaN(x) ? 0 : x));
              expectClose(a, b, 1e-10, `${name} V=${V} record ${t + 1}`);
            }
            expectClose(fast.family.theta, plain.family.theta, 1e-10, `${name} V=${V} θ`);
            expect(fast.policy.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 13);
            // a reset replays the same trajectory
            const first = fast.policy.slice();
            fast.reset();
            for (let chunk = 0; chunk < 30; chunk++) {
              fast.step(100);
              if (chunk === 10) fast.setBeta(0.05);
              const next = switching ? penaltyAt(chunk) : null;
              if (next) fast.setPenalty(next);
            }
            expectClose(fast.policy, first, 0, `${name} V=${V} after reset`);
          }
        });
      }

      it("keeps the same chart history as the plain path when no one reads the rows (the points go straight from the kernel)", () => {
        const rand = seededRandom(77);
        for (const [V, penalty, gold] of [
          [16, REVERSE, true],
          [33, FORWARD, false],
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

      // Adam's first step moves every logit by ±lr (m̂/√v̂ = g/|g|): lr 50 jumps the max by more than 32
      for (const optimizer of [
        { kind: "sgd", lr: 400 },
        { ...ADAM, lr: 50 },
      ] as OptimizerConfig[]) {
        it(`the batched steps hand back a step whose max θ jumps, and it is finished as the plain path does (${optimizer.kind})`, () => {
          const rand = seededRandom(31);
          let handedBack = 0;
          for (const V of [5, 16, 40]) {
            const problem = randomProblem(rand, V);
            const config: SimConfig = { penalty: REVERSE, beta: 0.01, controller: { kind: "fixed" }, optimizer };
            const fast = new Simulation(problem, { ...config, engine: "fast" });
            const plain = new Simulation(problem, { ...config, engine: "plain" });
            const a: number[][] = [];
            const b: number[][] = [];
            fast.step(300, (row) => a.push(Array.from(row, (x) => (Number.isNaN(x) ? 0 : x))));
            plain.step(300, (row) => b.push(Array.from(row, (x) => (Number.isNaN(x) ? 0 : x))));
            handedBack += (fast as unknown as { steppers: FastStepper[] }).steppers[0]!.handedBack;
            for (let t = 0; t < a.length; t++) expectClose(a[t]!, b[t]!, 1e-9, `V=${V} record ${t + 1}`);
            expectClose(fast.policy, plain.policy, 1e-9, `V=${V} π`);
            // Adam's step count (its bias corrections) is the plain optimiser's after the handed-back steps too
            const stepsCounted = (sim: Simulation) => (sim as unknown as { steppers: Array<{ optimizer: { t?: number } }> }).steppers[0]!.optimizer.t;
            expect(stepsCounted(fast)).toBe(stepsCounted(plain));
          }
          expect(handedBack).toBeGreaterThan(0);
        });
      }

      it("adaptive β follows the controller's formula on the fast path too", () => {
        const problem = randomProblem(seededRandom(5), 9);
        const sim = new Simulation(problem, { penalty: REVERSE, beta: 0.3, controller: { kind: "adaptive", target: 0.2, horizon: 50 }, optimizer: SGD });
        const kl = klDivergence(softmaxOf(problem.logRef), problem.ref); // 0: step 0 is π_ref
        expect(sim.kernel).not.toBe("typescript");
        sim.step(1);
        expect(sim.beta).toBeCloseTo(adaptiveBeta(0.3, kl, 0.2, 50, 1), 15);
      });

      it("diverges at the same step as the plain path, with the same message", () => {
        const problem = makeProblem([0.5, 0.3, 0.2], [1e300, -1e300, 0]);
        const config: SimConfig = { penalty: REVERSE, beta: 0.1, controller: { kind: "fixed" }, optimizer: { kind: "sgd", lr: 1e10 } };
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

    it("leaves ∇J of a batch's last step: n steps in one call give the bits of n − 1 then 1 (one chunk, two, and the helper's)", () => {
      const rand = seededRandom(41);
      for (const [V, optimizer, threads] of [
        [37, ADAM, false],
        [300, SGD, false],
        [PARALLEL_MIN + 5, SGD, false],
        [PARALLEL_MIN + 5, ADAM, "always"],
      ] as const) {
        const problem = randomProblem(rand, V);
        const theta = Float64Array.from({ length: V }, () => 4 * rand() - 2);
        const once = fastAt(problem, theta, optimizer, { threads });
        const split = fastAt(problem, theta, optimizer, { threads });
        expect(once.advance(REVERSE, 0.3, 7)).toBe(7);
        expect(split.advance(REVERSE, 0.3, 6)).toBe(6);
        const before = split.family.grad.slice(); // step 6's gradient
        expect(split.advance(REVERSE, 0.3, 1)).toBe(1);
        expect(Array.from(once.family.grad), `V ${V}`).toEqual(Array.from(split.family.grad));
        expect(Array.from(once.family.theta), `V ${V}`).toEqual(Array.from(split.family.theta));
        expect(Array.from(before)).not.toEqual(Array.from(split.family.grad)); // a later step's, not a stale one
      }
    });

    describe("large vocabularies: two chunks, and a helper thread", () => {
      it("gives the same bits whether the schedule lets a helper run the second chunk or not, step by step", () => {
        const rand = seededRandom(7);
        const V = PARALLEL_MIN + 5;
        const problem = randomProblem(rand, V);
        const theta = Float64Array.from({ length: V }, () => 4 * rand() - 2);
        const alone = fastAt(problem, theta, SGD, { threads: false });
        const scheduled = fastAt(problem, theta, SGD, { threads: true });
        for (let k = 0; k < 3000; k += 100) {
          alone.advance(REVERSE, 0.1, 100);
          scheduled.advance(REVERSE, 0.1, 100);
          if (k % 500 === 400) {
            expect(Array.from(scheduled.policy())).toEqual(Array.from(alone.policy()));
            expect(scheduled.family.state.reverseKL).toBe(alone.family.state.reverseKL);
          }
        }
        expect(alone.helperChunks).toBe(0);
      });

      it("with the helper running every second chunk (the main thread waits for it), gives the same bits as without it and follows the plain path", () => {
        const rand = seededRandom(99);
        for (const [V, optimizer, penalty] of [
          [PARALLEL_MIN + 3, SGD, REVERSE],
          [2 * PARALLEL_MIN + 8, ADAM, FORWARD],
        ] as const) {
          const problem = randomProblem(rand, V);
          const theta = Float64Array.from({ length: V }, () => 4 * rand() - 2);
          const alone = fastAt(problem, theta, optimizer, { threads: false });
          const helped = fastAt(problem, theta, optimizer, { threads: "always" });
          const plainOpt = plainOptimizer(optimizer, V);
          let reference = { theta, pi: softmaxOf(theta), reverseKL: 0, forwardKL: 0, reward: 0, entropy: 0 };
          const steps = 24; // each is a hand-off between threads, slow on a loaded machine: a few suffice to compare bits
          for (let k = 0; k < steps; k++) {
            alone.advance(penalty, 0.2, 1);
            helped.advance(penalty, 0.2, 1);
            reference = plainStep(problem, reference.theta, penalty, 0.2, plainOpt);
          }
          // the helper ran every second chunk: one per step (deterministic: nobody takes them back)
          expect(helped.helperChunks).toBe(steps);
          expect(Array.from(helped.family.theta)).toEqual(Array.from(alone.family.theta));
          expect(Array.from(helped.policy())).toEqual(Array.from(alone.policy()));
          const s = helped.family.state;
          const a = alone.family.state;
          expect([s.reward, s.reverseKL, s.forwardKL, s.entropy]).toEqual([a.reward, a.reverseKL, a.forwardKL, a.entropy]);
          // and the trajectory is the plain path's, Adam included
          expectClose(helped.family.theta, reference.theta, 1e-10, `V=${V} θ`);
          expectClose(helped.policy(), reference.pi, 1e-10, `V=${V} π`);
          expectClose(
            [s.reverseKL, s.forwardKL, s.reward, s.entropy],
            [reference.reverseKL, reference.forwardKL, reference.reward, reference.entropy],
            1e-10,
            `V=${V} metrics`,
          );
        }
      }, 120_000);
    });
  });
}
