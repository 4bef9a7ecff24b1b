/**
 * The sequence part of `klsim bench`: exact training of the tabular sequence family at V = 4, T = 7
 * without eos (5 461 logit rows; 21 845 prefix nodes counting the 16 384 complete sequences), reverse
 * KL, SGD lr 1, β 0.1, every metric of the row (sequence KLs, entropy, mean length, token-mean KL)
 * at every step. π_ref(·|t, prev) = softmax of N(0,1) logits per context, R(y) ~ U[0,1]. A step
 * allocates nothing: evaluation, gradient and update run in the state's preallocated arrays.
 */
import { DEFAULT_PENALTY } from "../core/divergences/registry.js";
import { mulberry32 } from "../core/random.js";
import { sequenceBanditOf } from "../core/sequence/bandit.js";
import { makeSequenceProblem } from "../core/sequence/problem.js";
import { Simulation } from "../sim/simulation.js";

export const SEQUENCE_BENCH_SHAPE = { V: 4, horizon: 7, eos: -1 } as const;

export interface SequenceBenchResult {
  vocab: number;
  horizon: number;
  /** Logit rows (prefixes that choose a token). */
  prefixes: number;
  /** Every node of the tree: the prefixes of length 0…T, complete sequences included. */
  prefix_nodes: number;
  steps: number;
  seconds: number;
  steps_per_s: number;
  ns_per_prefix_node: number;
  cpu_ns_per_prefix_node: number;
}

export function sequenceBench(steps: number, repeat: number, seed: number): SequenceBenchResult {
  const random = mulberry32(seed * 2654435761 + 7);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const rows = new Map<number, number[]>();
  const reference = (t: number, prev: number) => {
    const key = t * 8 + prev + 1;
    let row = rows.get(key);
    if (!row) {
      const logits = Array.from({ length: SEQUENCE_BENCH_SHAPE.V }, normal);
      const max = Math.max(...logits);
      const w = logits.map((x) => Math.exp(x - max));
      const z = w.reduce((a, b) => a + b, 0);
      row = w.map((x) => x / z);
      rows.set(key, row);
    }
    return row;
  };
  const problem = makeSequenceProblem({ ...SEQUENCE_BENCH_SHAPE, reference, reward: () => random() });
  const config = { penalty: DEFAULT_PENALTY, beta: 0.1, controller: { kind: "fixed" as const }, optimizer: { kind: "sgd" as const, lr: 1 } };
  const sim = new Simulation(sequenceBanditOf(problem), { ...config, model: { name: "sequence", problem } });
  const run = (n: number) => {
    sim.reset();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    sim.step(n);
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { wall, cpu: (cpu.user + cpu.system) / 1e6 };
  };
  run(Math.max(1, Math.ceil(steps / 10))); // warm-up: JIT
  let best = { wall: Infinity, cpu: Infinity };
  for (let r = 0; r < repeat; r++) {
    const timed = run(steps);
    if (timed.wall < best.wall) best = timed;
  }
  if (sim.failed) throw new Error(`sequence bench diverged: ${sim.failed}`);
  const { nodes, sequences } = problem.tree;
  const prefixNodes = nodes + sequences;
  return {
    vocab: SEQUENCE_BENCH_SHAPE.V,
    horizon: SEQUENCE_BENCH_SHAPE.horizon,
    prefixes: nodes,
    prefix_nodes: prefixNodes,
    steps,
    seconds: best.wall,
    steps_per_s: steps / best.wall,
    ns_per_prefix_node: (best.wall * 1e9) / (steps * prefixNodes),
    cpu_ns_per_prefix_node: (best.cpu * 1e9) / (steps * prefixNodes),
  };
}
