/**
 * `klsim bench`: the engine's speed on the reference workload — exact reverse-KL gradient, SGD
 * lr 1, β = 0.1, with reward, forward KL, reverse KL and entropy computed at every step — on
 * π_ref = softmax of N(0,1) logits and a reward uniform on [0, 1]. Each vocabulary size runs
 * in-process after a warm-up; steps/s, ns per token-step (wall and CPU) and peak RSS are reported.
 * A long run (1 000 000 steps by default) shows that memory stays flat with the bounded history.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { mulberry32 } from "../core/random.js";
import { DEFAULT_PENALTY } from "../core/divergences/registry.js";
import type { OptimizerConfig } from "../core/optimizers.js";
import { makeProblem, type Problem } from "../core/problem.js";
import { fastKernelName, nativeKernel } from "../engine/native.js";
import { kernelAvailable } from "../engine/wasm.js";
import { InputError } from "../errors.js";
import { checkNumber } from "../scenario/validate.js";
import { Simulation, type SimConfig } from "../sim/simulation.js";
import { booleanFlag, numberFlag, stringFlag, type CommandSpec, type ParsedArgs } from "./args.js";
import type { Io } from "./io.js";
import { JSON_FLAG } from "./overrides.js";
import { sequenceBench } from "./bench-sequence.js";

export const benchSpec: CommandSpec = {
  name: "bench",
  summary:
    "Benchmark the engine: exact reverse-KL gradient, SGD lr 1, β 0.1, all metrics every step, π_ref = softmax(N(0,1) logits), reward ~ U[0,1]. Reports steps/s, ns per token-step and peak memory.",
  positionals: [],
  flags: [
    {
      name: "vocab",
      type: "string",
      value: "LIST",
      describe: "vocabulary sizes, comma-separated (default 16,256,4096); with --sweep, which of its sweeps (default all four)",
    },
    {
      name: "steps",
      type: "integer",
      value: "N",
      describe: "steps per size (default 200 000 up to V = 16, 100 000 up to 256, then ~8·10⁷/V: 20 000 at 4096); with --sweep, every sweep's steps",
    },
    { name: "repeat", type: "integer", value: "R", describe: "timed runs per size after the warm-up; the median is reported (default 3)" },
    {
      name: "engine",
      type: "string",
      value: "E",
      describe:
        "fast (the native kernel when built, else WebAssembly SIMD), wasm (WebAssembly SIMD only), plain (the TypeScript reference), both (fast and plain) or all (default fast)",
      choices: ["fast", "wasm", "plain", "both", "all"],
    },
    { name: "long", type: "integer", value: "N", describe: "steps of the memory check at V = 16 (default 1 000 000; 0 skips it)" },
    { name: "seed", type: "integer", value: "S", describe: "seed of the random reference and reward (default 1)" },
    {
      name: "sequence-steps",
      type: "integer",
      value: "N",
      describe: "steps of the sequence bench: exact training at V = 4, T = 7 (21 845 prefix nodes), ns per prefix-node (default 2000; 0 skips it)",
    },
    {
      name: "optimizer",
      type: "string",
      value: "O",
      describe: "sgd (lr 1, the default) or adam (lr 0.05, β₁ 0.9, β₂ 0.999, ε 1e-8)",
      choices: ["sgd", "adam"],
    },
    {
      name: "sweep",
      type: "boolean",
      describe:
        "time whole `klsim sweep` processes instead (200 β log-spaced 0.01…10, reverse KL, SGD lr 1: V = 16 × 20 000 steps, 256 × 5 000, 4096 with 20 β × 5 000, 65536 × 20), median of --repeat interleaved runs (with --peer, each first in every other round)",
    },
    {
      name: "peer",
      type: "string",
      value: "COMMAND",
      describe:
        "with --sweep: also time COMMAND on the same scenarios, interleaved ({scenario}, {steps} and {betas} are filled in; it prints JSON rows as `klsim sweep --json`), and compare its final metrics",
    },
    {
      name: "frames",
      type: "string",
      value: "SCENARIO",
      describe:
        "also run `klsim tui SCENARIO` in a pseudo-terminal (util-linux script) and count the frames it paints, at the default and the fastest speed, with steps/s; and time the frame work alone (a batch of steps + the charts as text) after 100 000 steps",
    },
    { name: "size", type: "string", value: "COLSxROWS", describe: "with --frames: the pseudo-terminal's size (default 200x60)" },
    JSON_FLAG,
  ],
  examples: [
    "klsim bench",
    "klsim bench --vocab 4096 --steps 5000",
    "klsim bench --engine both --json",
    "klsim bench --optimizer adam --vocab 256,4096",
    "klsim bench --frames large-vocab",
    "klsim bench --frames basic --size 80x24 --vocab 16 --long 0",
    "klsim bench --sweep --peer 'python3 sweep.py {scenario} {steps} {betas}'",
    "npm run bench",
  ],
};

const DEFAULT_VOCAB = [16, 256, 4096];

/** Default steps: those of the README's comparison (200 000 at V = 16, 100 000 at 256, 20 000 at
 *  4096); above 256, about 8·10⁷ token-steps. */
export function defaultSteps(V: number): number {
  if (V <= 16) return 200_000;
  if (V <= 256) return 100_000;
  return Math.max(1000, Math.round(8.2e7 / V / 1000) * 1000);
}

/** π_ref = softmax of N(0,1) logits, reward ~ U[0,1]. */
export function benchProblem(V: number, seed: number): Problem {
  const random = mulberry32(seed * 2654435761 + V); // N(0,1) logits by Box–Muller below
  const logits = new Float64Array(V);
  for (let i = 0; i < V; i++) logits[i] = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x);
  const weights = logits.map((x) => Math.exp(x - max)); // makeProblem normalises
  const reward = new Float64Array(V);
  for (let i = 0; i < V; i++) reward[i] = random();
  return makeProblem(weights, reward);
}

type Engine = NonNullable<SimConfig["engine"]>;

/** The optimisers `--optimizer` picks: SGD lr 1 (the reference workload), Adam with Kingma & Ba's defaults and lr 0.05. */
export const BENCH_OPTIMIZERS = {
  sgd: { kind: "sgd", lr: 1 },
  adam: { kind: "adam", lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8 },
} as const satisfies Record<string, OptimizerConfig>;
export type BenchOptimizer = keyof typeof BENCH_OPTIMIZERS;

export function benchConfig(engine: Engine, optimizer: BenchOptimizer = "sgd"): SimConfig {
  return { penalty: DEFAULT_PENALTY, beta: 0.1, controller: { kind: "fixed" }, optimizer: BENCH_OPTIMIZERS[optimizer], engine };
}

export interface BenchResult {
  vocab: number;
  engine: Engine;
  /** What actually ran: "native-avx512" (-avx2, -neon), "wasm-simd" or "typescript". */
  kernel: string;
  /** Whether a helper thread took part (large vocabularies, a second core free). */
  threaded: boolean;
  steps: number;
  seconds: number;
  steps_per_s: number;
  ns_per_token_step: number;
  cpu_ns_per_token_step: number;
  peak_rss_mb: number;
}

/** Runs `steps` steps from the reference, in slices as `klsim run` does; returns wall and CPU seconds. */
function timedRun(sim: Simulation, steps: number): { wall: number; cpu: number } {
  sim.reset();
  const slice = Math.max(16, Math.floor(2_000_000 / (sim.problem.V + 32)));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let done = 0; done < steps; ) {
    const n = Math.min(slice, steps - done);
    sim.step(n);
    done += n;
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
}

/** The median of some numbers (the middle one, or the mean of the middle two). */
function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function benchOne(V: number, steps: number, engine: Engine, repeat: number, seed: number, optimizer: BenchOptimizer = "sgd"): BenchResult {
  const sim = new Simulation(benchProblem(V, seed), benchConfig(engine, optimizer));
  timedRun(sim, Math.max(1, Math.min(steps, Math.ceil(steps / 10)))); // warm-up: JIT and wasm tier-up
  // the median run: the machine may be shared, and one lucky run says little
  const runs = Array.from({ length: repeat }, () => timedRun(sim, steps));
  const best = { wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)) };
  if (sim.failed) throw new Error(`bench diverged at V = ${V}: ${sim.failed}`);
  return {
    vocab: V,
    engine,
    kernel: sim.kernel,
    threaded: sim.threaded,
    steps,
    seconds: best.wall,
    steps_per_s: steps / best.wall,
    ns_per_token_step: (best.wall * 1e9) / (steps * V),
    cpu_ns_per_token_step: (best.cpu * 1e9) / (steps * V),
    peak_rss_mb: peakRssMb(),
  };
}

export interface LongResult {
  vocab: number;
  steps: number;
  seconds: number;
  rss_before_mb: number;
  rss_after_mb: number;
  peak_rss_mb: number;
  history_points: number;
}

/** A long run at V = 16 like `klsim run`: memory must stay flat (the chart history is bounded). */
export function longRun(steps: number, seed: number): LongResult {
  const sim = new Simulation(benchProblem(16, seed), benchConfig("fast"));
  const before = process.memoryUsage().rss / 2 ** 20;
  const { wall } = timedRun(sim, steps);
  return {
    vocab: 16,
    steps,
    seconds: wall,
    rss_before_mb: before,
    rss_after_mb: process.memoryUsage().rss / 2 ** 20,
    peak_rss_mb: peakRssMb(),
    history_points: sim.history.length,
  };
}

export interface FrameResult {
  scenario: string;
  vocab: number;
  history_steps: number;
  history_points: number;
  steps_per_frame: number;
  frames: number;
  mean_ms: number;
  worst_ms: number;
  fps: number;
}

/**
 * The TUI's work per frame, without the terminal: `stepsPerFrame` steps, then the snapshot, the three
 * braille charts and the tables rendered as text (src/tui/report.ts, the same charts the live UI
 * draws), after a 100 000-step run so the charts show a long, decimated history.
 */
export async function frameBench(nameOrPath: string, stepsPerFrame = 100, frames = 60): Promise<FrameResult> {
  const { loadScenario, simConfigOf } = await import("../scenario/loader.js");
  const { staticReport } = await import("../tui/report.js");
  const { FRAME_BUDGET_MS } = await import("../tui/charts.js");
  const scenario = await loadScenario(nameOrPath);
  const sim = new Simulation(scenario.problem, simConfigOf(scenario));
  const history = 100_000;
  for (let done = 0; done < history; done += 10_000) sim.step(10_000);
  for (let k = 0; k < 5; k++) staticReport(scenario, sim, 120, FRAME_BUDGET_MS); // warm-up
  let total = 0;
  let worst = 0;
  for (let k = 0; k < frames; k++) {
    const t0 = performance.now();
    sim.step(stepsPerFrame);
    staticReport(scenario, sim, 120, FRAME_BUDGET_MS); // the live UI's time limit for new optimum points
    const ms = performance.now() - t0;
    total += ms;
    worst = Math.max(worst, ms);
  }
  return {
    scenario: scenario.spec.name,
    vocab: scenario.problem.V,
    history_steps: history,
    history_points: sim.history.length,
    steps_per_frame: stepsPerFrame,
    frames,
    mean_ms: total / frames,
    worst_ms: worst,
    fps: 1000 / (total / frames),
  };
}

/** The sweeps `--sweep` times (issue 18): π_ref = softmax(N(0,1) logits), reward U[0,1], reverse KL, SGD lr 1. */
export const SWEEP_WORKLOADS = [
  { vocab: 16, betas: 200, steps: 20_000 },
  { vocab: 256, betas: 200, steps: 5_000 },
  { vocab: 4096, betas: 20, steps: 5_000 },
  { vocab: 65_536, betas: 200, steps: 20 },
] as const;

export type SweepWorkload = (typeof SWEEP_WORKLOADS)[number];

/** The sweeps `--vocab` names (all without it); a size that is not one of them is refused. */
function sweepWorkloadsOf(text: string | undefined): SweepWorkload[] {
  if (text === undefined) return [...SWEEP_WORKLOADS];
  return parseVocab(text).map((V) => {
    const workload = SWEEP_WORKLOADS.find((w) => w.vocab === V);
    if (!workload) throw new InputError(`with --sweep, one of ${SWEEP_WORKLOADS.map((w) => w.vocab).join(", ")}; got ${V}`, "--vocab");
    return workload;
  });
}

export interface SweepBenchResult {
  vocab: number;
  betas: number;
  steps: number;
  /** Whole-process seconds, the median of the interleaved runs; the peer's too when there is one. */
  klsim_s: number;
  peer_s: number | null;
  /** peer_s / klsim_s. */
  ratio: number | null;
  /** The largest difference of a final metric (reward, both KLs, entropy) between klsim's rows and the peer's, relative to max(1, |x|). */
  max_difference: number | null;
}

/** The scenario file of a sweep workload (the reference and reward written out, so that a peer reads the same numbers). */
function sweepScenario(vocab: number, steps: number, seed: number): string {
  const problem = benchProblem(vocab, seed);
  return JSON.stringify({
    name: `bench-sweep-${vocab}`,
    description: "klsim bench --sweep: pi_ref = softmax(N(0,1) logits), reward ~ U[0,1]",
    reference: Array.from(problem.ref),
    reward: Array.from(problem.reward),
    penalty: "reverse",
    beta: 0.1,
    controller: { kind: "fixed" },
    optimizer: BENCH_OPTIMIZERS.sgd,
    mode: "exact",
    steps,
    seed,
  });
}

type FinalRow = { beta: number; reward: number; reverse_kl: number; forward_kl: number; entropy: number };

/** Runs a command to its end; returns its wall seconds and the JSON rows it printed. */
function timedProcess(command: string, args: string[], what: string): { seconds: number; rows: FinalRow[] } {
  const t0 = performance.now();
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, NO_COLOR: "1" } });
  const seconds = (performance.now() - t0) / 1000;
  if (result.status !== 0)
    throw new Error(`${what} failed (${result.error?.message ?? `exit ${result.status}`}): ${String(result.stderr).trim().split("\n")[0]}`);
  return { seconds, rows: JSON.parse(result.stdout) as FinalRow[] };
}

/** The largest relative difference of the final metrics, β by β (Infinity if the rows do not pair up). */
function rowsDifference(a: FinalRow[], b: FinalRow[]): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  a.forEach((row, i) => {
    const other = b[i]!;
    for (const key of ["beta", "reward", "reverse_kl", "forward_kl", "entropy"] as const) {
      const x = row[key];
      const y = other[key];
      worst = Math.max(worst, Math.abs(x - y) / Math.max(1, Math.abs(x)));
    }
  });
  return worst;
}

/** Node's arguments that start this very CLI as it was started (the binary, or the sources under tsx). */
function thisCli(): string[] {
  return [...process.execArgv, process.argv[1] ?? fileURLToPath(new URL("./klsim.cjs", import.meta.url))];
}

/**
 * `klsim bench --sweep`: each workload as a whole `klsim sweep` process (start-up, workers, output
 * included), and the peer's process on the same scenario file, interleaved, `repeat` times each.
 */
export function sweepBench(
  workloads: readonly SweepWorkload[],
  repeat: number,
  seed: number,
  peer: string | undefined,
  stepsOverride?: number,
): SweepBenchResult[] {
  // this very CLI, started as it was (the build, or the sources under tsx)
  const cli = thisCli();
  const dir = mkdtempSync(join(tmpdir(), "klsim-bench-sweep-"));
  try {
    return workloads.map(({ vocab, betas, steps: workloadSteps }) => {
      const steps = stepsOverride ?? workloadSteps;
      const file = join(dir, `sweep-${vocab}.json`);
      writeFileSync(file, sweepScenario(vocab, steps, seed));
      const range = `0.01:10:${betas}:log`;
      const ours = () => timedProcess(process.execPath, [...cli, "sweep", file, "--beta", range, "--steps", String(steps), "--json"], "klsim sweep");
      const fill = (word: string) => word.replaceAll("{scenario}", file).replaceAll("{steps}", String(steps)).replaceAll("{betas}", range);
      const peerWords = peer?.trim().split(/\s+/).map(fill);
      const theirs = peerWords ? () => timedProcess(peerWords[0]!, peerWords.slice(1), "the peer") : null;
      const times: number[] = [];
      const peerTimes: number[] = [];
      let difference: number | null = null;
      for (let r = 0; r < repeat; r++) {
        // each first in every other round, so that the order favours neither (a process may run in the other's wake: its freed memory, its caches)
        const peerFirst = theirs && r % 2 === 1 ? theirs() : null;
        const a = ours();
        times.push(a.seconds);
        const b = peerFirst ?? theirs?.() ?? null;
        if (b) {
          peerTimes.push(b.seconds);
          difference = Math.max(difference ?? 0, rowsDifference(a.rows, b.rows));
        }
      }
      const klsim_s = median(times);
      const peer_s = theirs ? median(peerTimes) : null;
      return { vocab, betas, steps, klsim_s, peer_s, ratio: peer_s === null ? null : peer_s / klsim_s, max_difference: difference };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sweepText(results: SweepBenchResult[], repeat: number, peer: string | undefined): string {
  const head = [
    "klsim bench --sweep: reverse KL, SGD lr 1, beta log-spaced 0.01..10; pi_ref = softmax(N(0,1) logits), reward ~ U[0,1]",
    `whole process, median of ${repeat} interleaved runs${peer ? `; peer: ${peer}` : ""}`,
    "",
    `${"V".padStart(6)}  ${"betas".padStart(5)}  ${"steps".padStart(7)}  ${"klsim s".padStart(8)}${peer ? `  ${"peer s".padStart(8)}  ${"peer/klsim".padStart(10)}  ${"max diff".padStart(9)}` : ""}`,
  ];
  const lines = results.map((r) => {
    const base = `${String(r.vocab).padStart(6)}  ${String(r.betas).padStart(5)}  ${grouped(r.steps).padStart(7)}  ${r.klsim_s.toFixed(3).padStart(8)}`;
    if (r.peer_s === null) return base;
    return `${base}  ${r.peer_s.toFixed(3).padStart(8)}  ${`${r.ratio!.toFixed(2)}x`.padStart(10)}  ${r.max_difference!.toExponential(1).padStart(9)}`;
  });
  return [...head, ...lines].join("\n") + "\n";
}

/** The kernel the fast engine runs: "native-avx512" (…), "wasm-simd" or "typescript". */
function fastKernel(): string {
  const native = nativeKernel();
  return native || kernelAvailable() ? fastKernelName(native) : "typescript";
}

function kernelsText(): string {
  const native = nativeKernel();
  const wasm = kernelAvailable() ? "WebAssembly SIMD" : "no WebAssembly kernel (plain TypeScript)";
  return native ? `native ${native.isa}${native.threads ? " with a helper thread" : ""}, ${wasm}` : `${wasm} (no native kernel built)`;
}

function parseVocab(text: string | undefined): number[] {
  if (text === undefined) return DEFAULT_VOCAB;
  const sizes = text.split(",").map((part) => Number(part.trim()));
  for (const V of sizes) {
    if (!Number.isInteger(V) || V < 2 || V > 65_536) throw new InputError(`expected whole numbers from 2 to 65536, got '${text}'`, "--vocab");
  }
  return sizes;
}

/** 1234567.8 → "1 234 568" */
function grouped(x: number): string {
  return Math.round(x)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, " ");
}

export async function benchCommand(args: ParsedArgs, io: Io): Promise<number> {
  const vocabText = stringFlag(args, "vocab");
  const stepsFlag = numberFlag(args, "steps");
  if (stepsFlag !== undefined) checkNumber(stepsFlag, { integer: true, min: 1, max: 1e9 }, "--steps");
  const repeat = checkNumber(numberFlag(args, "repeat") ?? 3, { integer: true, min: 1, max: 100 }, "--repeat");
  const long = checkNumber(numberFlag(args, "long") ?? 1_000_000, { integer: true, min: 0, max: 1e9 }, "--long");
  const seed = checkNumber(numberFlag(args, "seed") ?? 1, { integer: true, min: 0, max: 2 ** 32 - 1 }, "--seed");
  const size = frameSize(stringFlag(args, "size"), stringFlag(args, "frames") !== undefined);
  const engineFlag = stringFlag(args, "engine") ?? "fast";
  // "all" without the native kernel: fast is wasm already
  const all: Engine[] = nativeKernel() ? ["fast", "wasm", "plain"] : ["fast", "plain"];
  const engines: Engine[] = engineFlag === "both" ? ["fast", "plain"] : engineFlag === "all" ? all : [engineFlag as Engine];
  const json = booleanFlag(args, "json");
  const optimizer = (stringFlag(args, "optimizer") ?? "sgd") as BenchOptimizer;
  const peer = stringFlag(args, "peer");
  if (peer !== undefined && !booleanFlag(args, "sweep")) throw new InputError("needs --sweep", "--peer");
  if (booleanFlag(args, "sweep")) {
    const sweeps = sweepBench(sweepWorkloadsOf(vocabText), repeat, seed, peer, stepsFlag);
    io.out(json ? JSON.stringify({ node: process.version, kernel: fastKernel(), sweeps }) + "\n" : sweepText(sweeps, repeat, peer));
    return 0;
  }

  const vocab = parseVocab(vocabText);
  const results: BenchResult[] = [];
  if (!json) {
    io.out(
      [
        `klsim bench: exact reverse-KL gradient, ${optimizer === "sgd" ? "SGD lr 1" : "Adam lr 0.05"}, beta 0.1; reward, forward KL, reverse KL and entropy every step`,
        `pi_ref = softmax(N(0,1) logits), reward ~ U[0,1]; median of ${repeat} after a warm-up; node ${process.version}, kernels: ${kernelsText()}`,
        "",
        `${"V".padStart(6)}  ${"engine".padEnd(17)}  ${"steps".padStart(9)}  ${"seconds".padStart(8)}  ${"steps/s".padStart(11)}  ${"ns/token-step".padStart(13)}  ${"(cpu)".padStart(7)}  ${"peak RSS".padStart(9)}`,
      ].join("\n") + "\n",
    );
  }
  for (const V of vocab) {
    for (const engine of engines) {
      const r = benchOne(V, stepsFlag ?? defaultSteps(V), engine, repeat, seed, optimizer);
      results.push(r);
      if (!json) {
        const line = `${String(V).padStart(6)}  ${(r.kernel + (r.threaded ? " ×2" : "")).padEnd(17)}  ${grouped(r.steps).padStart(9)}  ${r.seconds.toFixed(3).padStart(8)}  ${grouped(r.steps_per_s).padStart(11)}  ${r.ns_per_token_step.toFixed(2).padStart(13)}  ${r.cpu_ns_per_token_step.toFixed(2).padStart(7)}  ${(r.peak_rss_mb.toFixed(1) + " MB").padStart(9)}`;
        io.out(line + "\n");
      }
    }
  }
  const sequenceSteps = checkNumber(numberFlag(args, "sequence-steps") ?? 2000, { integer: true, min: 0, max: 1e9 }, "--sequence-steps");
  const sequenceResult = sequenceSteps > 0 ? sequenceBench(sequenceSteps, repeat, seed) : null;
  if (!json && sequenceResult) {
    const q = sequenceResult;
    io.out(
      `
sequence: V = ${q.vocab}, T = ${q.horizon} (${grouped(q.prefixes)} logit rows, ${grouped(q.prefix_nodes)} prefix nodes), exact reverse KL: ${grouped(q.steps)} steps in ${q.seconds.toFixed(3)} s = ${grouped(q.steps_per_s)} steps/s, ${q.ns_per_prefix_node.toFixed(2)} ns per prefix-node (cpu ${q.cpu_ns_per_prefix_node.toFixed(2)})\n`,
    );
  }
  const longResult = long > 0 ? longRun(long, seed) : null;
  const framesScenario = stringFlag(args, "frames");
  const frameResult = framesScenario === undefined ? null : await frameBench(framesScenario);
  const ptyResult = framesScenario === undefined || frameResult === null ? null : await ptyFrames(framesScenario, frameResult.scenario, size);
  if (json) {
    io.out(
      JSON.stringify({
        node: process.version,
        kernel: fastKernel(),
        workload: {
          penalty: DEFAULT_PENALTY.name,
          beta: 0.1,
          optimizer: BENCH_OPTIMIZERS[optimizer],
          reference: "softmax(N(0,1) logits)",
          reward: "U[0,1]",
          seed,
        },
        results,
        long: longResult,
        frames: frameResult,
        terminal: ptyResult,
        sequence: sequenceResult,
      }) + "\n",
    );
  } else if (longResult) {
    io.out(
      `\nmemory: ${grouped(longResult.steps)} steps at V = 16 in ${longResult.seconds.toFixed(2)} s: RSS ${longResult.rss_before_mb.toFixed(1)} MB before, ${longResult.rss_after_mb.toFixed(1)} MB after (history bounded to ${longResult.history_points} points); peak RSS ${longResult.peak_rss_mb.toFixed(1)} MB\n`,
    );
  }
  if (!json && frameResult) {
    const f = frameResult;
    io.out(
      `frame work: ${f.scenario} (V = ${f.vocab}) after ${grouped(f.history_steps)} steps (${f.history_points} chart points): ${f.steps_per_frame} steps + the β strip, 3 charts and tables per frame, ${f.mean_ms.toFixed(2)} ms mean, ${f.worst_ms.toFixed(2)} ms worst over ${f.frames} frames = ${Math.round(f.fps)} frames/s of work\n`,
    );
  }
  if (!json && ptyResult !== null) {
    if (typeof ptyResult === "string") io.out(`frames in a terminal: not measured: ${ptyResult}\n`);
    else {
      const phases = ptyResult.phases.map(
        (p) =>
          `${p.speed} speed ${p.frames_per_s.toFixed(1)} frames/s (${grouped(Math.round(p.steps_per_s))} steps/s, ${Math.round(p.bytes_per_frame / 1000)} kB a frame)`,
      );
      io.out(
        `frames in a terminal: klsim tui ${ptyResult.scenario} at ${ptyResult.columns}×${ptyResult.rows} in a pseudo-terminal, frames counted in its stream over ${PTY_SECONDS} s each: ${phases.join("; ")}\n`,
      );
    }
  }
  return 0;
}

const PTY_SECONDS = 5;

/** `--size COLSxROWS` (only with --frames). */
function frameSize(text: string | undefined, withFrames: boolean): { columns: number; rows: number } {
  if (text === undefined) return { columns: 200, rows: 60 };
  if (!withFrames) throw new InputError("needs --frames", "--size");
  const match = /^(\d{2,3})x(\d{2,3})$/.exec(text);
  const columns = Number(match?.[1]);
  const rows = Number(match?.[2]);
  if (!match || columns < 40 || columns > 500 || rows < 12 || rows > 200)
    throw new InputError(`expected COLSxROWS from 40x12 to 500x200, e.g. 200x60, got '${text}'`, "--size");
  return { columns, rows };
}

async function ptyFrames(scenario: string, name: string, size: { columns: number; rows: number }) {
  const { ptyFrameBench } = await import("./bench-frames.js");
  return ptyFrameBench(thisCli(), scenario, name, size.columns, size.rows, PTY_SECONDS);
}
