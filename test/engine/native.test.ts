/**
 * The native kernel (src/engine/native/kernel.c) on its own: its exp against Math.exp, and the
 * claim that every x86-64 level it is built for gives the same bits (SGD and Adam). Its steps against the plain
 * formulas are in fast.test.ts, which runs its whole suite on this kernel too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { divergenceNamed } from "../../src/core/divergences/registry.js";
import { PARALLEL_MIN } from "../../src/engine/fast-stepper.js";
import { compileKernel } from "../../src/engine/kernel-wat.mjs";
import { nativeExp, setNativeKernel, type NativeKernel } from "../../src/engine/native.js";
import { reverseOptimum } from "../../src/core/optima.js";
import { GROUP, LAYOUT, ROW } from "../../src/engine/contract.mjs";
import { setKernel } from "../../src/engine/wasm.js";
import { makeProblem } from "../../src/core/problem.js";
import { RECORD_FIELDS } from "../../src/sim/record.js";
import { Simulation, type SimConfig } from "../../src/sim/simulation.js";
import { buildNativeKernel } from "../helpers/native.js";
import { seededRandom } from "../helpers/random.js";
import { ulps } from "../helpers/ulps.js";

const native = buildNativeKernel();
// the native kernel works on the WebAssembly kernel's memory: that one is compiled from its source too
beforeAll(async () => setKernel(await compileKernel()));
afterAll(() => {
  setNativeKernel(null);
  setKernel(null);
});

describe.skipIf(!native.kernel)(`the native kernel${native.kernel ? "" : ` (skipped: ${native.reason})`}`, () => {
  const kernel = native.kernel!;

  it("computes exp within 1 ulp of Math.exp on the steps' range (x ≤ 600), with exact special values", () => {
    const n = 1 << 16;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    const rand = seededRandom(11);
    const ranges: Array<[number, number]> = [
      [-1e-9, 1e-9],
      [-0.35, 0.35],
      [-1, 1],
      [-40, 40],
      [-708.5, -700],
      [-745.2, -708],
      [-800, 32],
      [0, 600],
    ];
    let differing = 0;
    for (const [lo, hi] of ranges) {
      for (let i = 0; i < n; i++) x[i] = lo + (hi - lo) * rand();
      kernel.exp(x, y);
      for (let i = 0; i < n; i++) {
        const d = ulps(y[i]!, Math.exp(x[i]!));
        if (d > 1) expect(d, `exp(${x[i]}) = ${y[i]}, Math.exp ${Math.exp(x[i]!)}`).toBeLessThanOrEqual(1);
        if (d) differing++;
      }
    }
    expect(differing / (ranges.length * n)).toBeLessThan(0.05);
    const special = [NaN, -Infinity, 0, -0, -745.13321910194, -745.2, -746, -1e4, -1e308, -708.39641853226408, -708.4, -1e-300, 1e-300, 1, -1, 600];
    const xs = Float64Array.from(special);
    const ys = new Float64Array(special.length);
    kernel.exp(xs, ys);
    special.forEach((v, i) => expect(ulps(ys[i]!, Math.exp(v)), `exp(${v}) = ${ys[i]}`).toBe(0));
  });

  it("returns Σ exp(x) with its exp, and gives the reverse optimum the plain closed form's π* to rounding, into reused buffers", () => {
    const rand = seededRandom(5);
    const x = Float64Array.from({ length: 4096 }, () => -30 * rand());
    const y = new Float64Array(x.length);
    let plainTotal = 0;
    for (const v of x) plainTotal += Math.exp(v);
    expect(Math.abs(kernel.exp(x, y) - plainTotal)).toBeLessThan(1e-13 * plainTotal);
    const exp = nativeExp(kernel);
    for (const V of [1, 7, 8, 9, 23, 1000]) {
      const problem = makeProblem(
        Array.from({ length: V }, () => 0.05 + rand()),
        Array.from({ length: V }, () => rand()),
      );
      const out = new Float64Array(V);
      const log = new Float64Array(V);
      for (const beta of [0.02, 0.7, 30]) {
        // π* ∝ π_ref·exp(r/β), written out independently of core/optima.ts
        const tilt = Array.from(problem.ref, (q, i) => q * Math.exp(problem.reward[i]! / beta));
        const z = tilt.reduce((a, b) => a + b, 0);
        const work = { exp, out, log, hasLog: false };
        const pi = reverseOptimum(problem.ref, problem.logRef, problem.reward, beta, work);
        expect(pi).toBe(out);
        expect(work.hasLog).toBe(true);
        pi.forEach((p, i) => {
          expect(Math.abs(p - tilt[i]! / z), `V ${V} β ${beta} π*[${i}]`).toBeLessThan(1e-13);
          expect(Math.abs(log[i]! - Math.log(tilt[i]! / z)), `log π*[${i}]`).toBeLessThan(1e-11);
        });
      }
    }
  });

  it("is built for the layout of contract.mjs, which the WebAssembly kernel shares (native.ts refuses another)", () => {
    expect([kernel.PARAMS, kernel.MASKS, kernel.OUT_SLOT, kernel.GROUP, kernel.ROW_SLOTS]).toEqual([
      LAYOUT.PARAMS,
      LAYOUT.MASKS,
      LAYOUT.OUT_SLOT,
      GROUP,
      ROW.length,
    ]);
  });

  it("refuses memory that is not a Uint8Array, and offsets outside it, with a TypeError", () => {
    const memory = new Uint8Array(new SharedArrayBuffer(65536));
    // run(memory, forward, gold, optimizer, n, rows, bias, groups, split, tail, out, helper)
    expect(() => kernel.run(new Float64Array(8) as unknown as Uint8Array, 0, 0, 0, 1, 2048, 0, 1, 1, 0, 640, 0)).toThrow(TypeError);
    expect(() => kernel.run(memory, 0, 0, 0, 1, 65536, 0, 1, 1, 0, 640, 0)).toThrow(/out of range/);
    expect(() => kernel.run(memory, 0, 0, 0, 1, 2048, 0, 4, 5, 0, 640, 0)).toThrow(/out of range/);
    // Adam reads a bias correction per step: its table must lie within the memory too
    expect(() => kernel.run(memory, 0, 0, 1, 2, 2048, 65536 - 16, 1, 1, 0, 640, 0)).toThrow(/out of range/);
    // an optimiser code the kernel does not have
    expect(() => kernel.run(memory, 0, 0, 2, 1, 2048, 0, 1, 1, 0, 640, 0)).toThrow(/out of range/);
  });
});

// Every level computes the same operations in the same order: FMA only where the source writes
// it, fixed accumulator lanes. So a run is the same bits on an AVX-512 machine and an AVX2 one.
const avx512 = native.kernel?.isa === "avx512";
describe.skipIf(!avx512)(`x86-64 levels${avx512 ? "" : " (skipped: needs an AVX-512 machine with the native kernel)"}`, () => {
  it("AVX2 (x86-64-v3) and AVX-512 (x86-64-v4) builds give the same bits, record by record", () => {
    const levels = (["x86-64-v3", "x86-64-v4"] as const).map((level) => buildNativeKernel(level).kernel);
    expect(levels.map((k) => k?.isa)).toEqual(["avx2", "avx512"]);
    const rand = seededRandom(42);
    const sgd = { kind: "sgd", lr: 0.8 } as const;
    const adam = { kind: "adam", lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;
    for (const [V, penalty, gold, optimizer] of [
      [17, divergenceNamed("reverse"), true, sgd],
      [1001, divergenceNamed("forward"), false, sgd],
      [PARALLEL_MIN + 5, divergenceNamed("reverse"), false, sgd],
      [PARALLEL_MIN + 5, divergenceNamed("forward"), true, sgd],
      [17, divergenceNamed("forward"), true, adam],
      [PARALLEL_MIN + 5, divergenceNamed("reverse"), false, adam],
    ] as const) {
      const problem = makeProblem(
        Array.from({ length: V }, () => Math.exp(3 * rand() - 1.5)),
        Array.from({ length: V }, () => 2 * rand() - 1),
        gold ? Array.from({ length: V }, () => rand()) : null,
      );
      const config: SimConfig = { penalty, beta: 0.15, controller: { kind: "fixed" }, optimizer };
      const runs = levels.map((level) => {
        setNativeKernel(level as NativeKernel);
        const sim = new Simulation(problem, config);
        expect(sim.kernel).toBe(`native-${level!.isa}`);
        const rows: number[] = [];
        sim.step(1500, (row) => rows.push(...row));
        return { rows, pi: Array.from(sim.policy), theta: Array.from(sim.family.theta) };
      });
      expect(runs[0]!.rows.length).toBe(1500 * RECORD_FIELDS.length);
      expect(runs[1]!.rows).toEqual(runs[0]!.rows);
      expect(runs[1]!.pi).toEqual(runs[0]!.pi);
      expect(runs[1]!.theta).toEqual(runs[0]!.theta);
    }
  });
});
