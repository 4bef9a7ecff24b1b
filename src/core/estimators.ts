/**
 * The estimator registry: per-sample estimators of KL(π‖π_ref) for x ~ π with log-ratio
 * ℓ = log π(x) − log π_ref(x) (Schulman 2020, "Approximating KL Divergence"), each an entry with its
 * value k(ℓ) and its slope k′(ℓ) — the pathwise derivative a loss differentiates (GRPO) — and the
 * names verl, OpenRLHF and TRL use for it. Adding an estimator is adding an entry.
 */

export interface Estimator {
  /** klsim's name: "k1". */
  readonly name: string;
  /** Other names accepted for it (verl / OpenRLHF / TRL): "kl", "mse", "low_var_kl". */
  readonly aliases: readonly string[];
  /** One line for help and tables. */
  readonly describe: string;
  /** Whether it is a per-sample estimate; `full` is the exact KL over the vocabulary instead. */
  readonly perSample: boolean;
  /** k(ℓ). */
  value(logRatio: number): number;
  /** dk/dℓ. */
  slope(logRatio: number): number;
  /**
   * The coefficient of ∇ log π(x) in ∇_θ k when k is in the loss (GRPO): the pathwise k′(ℓ), and,
   * for an estimator weighted by ρ = π(x)/sg(π_old(x)), also the score term of ρ: ρ·(k(ℓ) + k′(ℓ)).
   * `ratio` is ρ (1 on the policy that drew the sample).
   */
  lossCoefficient(logRatio: number, ratio: number): number;
}

/** An estimator differentiated through ℓ alone: ∇ k(ℓ(x)) = k′(ℓ)·∇ log π(x). */
function pathwise(entry: Omit<Estimator, "lossCoefficient">): Estimator {
  return { ...entry, lossCoefficient: (logRatio) => entry.slope(logRatio) };
}

const k3 = (l: number) => Math.expm1(-l) + l; // e^(−ℓ) − 1 + ℓ
const k3Slope = (l: number) => -Math.expm1(-l); // 1 − e^(−ℓ)

export const ESTIMATOR_LIST: readonly Estimator[] = [
  pathwise({
    name: "k1",
    aliases: ["kl"],
    describe: "ℓ: unbiased, high variance, can be negative",
    perSample: true,
    value: (l) => l,
    slope: () => 1,
  }),
  pathwise({
    name: "k2",
    aliases: ["mse"],
    describe: "ℓ²/2: biased, low variance, ≥ 0",
    perSample: true,
    value: (l) => 0.5 * l * l,
    slope: (l) => l,
  }),
  pathwise({
    name: "k3",
    aliases: ["low_var_kl"],
    describe: "e^(−ℓ) − 1 + ℓ: unbiased, ≥ 0, low variance near π_ref",
    perSample: true,
    value: k3,
    slope: k3Slope,
  }),
  {
    // DeepSeek-V3.2 §3.1; TRL's use_bias_correction_kl: k3 weighted by ρ = π/sg(π_old), value k3 on
    // the policy that drew the sample. In the loss ∇(ρ·k3) = ρ(k3 + k3′)∇log π = ρ·ℓ·∇log π, whose
    // expectation under π_old is ∇KL(π‖π_ref) — the reverse KL's gradient, unlike plain k3's.
    name: "rho-k3",
    aliases: [],
    describe: "ρ·k3, ρ = π/sg(π_old): k3's value, and in the loss the reverse KL's gradient",
    perSample: true,
    value: k3,
    slope: k3Slope,
    lossCoefficient: (l, ratio) => ratio * (k3(l) + k3Slope(l)),
  },
  pathwise({
    name: "abs",
    aliases: [],
    describe: "|ℓ|: biased, ≥ 0",
    perSample: true,
    value: (l) => Math.abs(l),
    slope: (l) => Math.sign(l),
  }),
  pathwise({
    name: "full",
    aliases: [],
    describe: "the exact KL over the vocabulary (no sampling noise)",
    perSample: false,
    value: () => Number.NaN,
    slope: () => Number.NaN,
  }),
];

/** The estimator of a sampled run unless a scenario says otherwise: k1 in the reward (TRL's PPO) is unbiased and regularises. */
export const DEFAULT_ESTIMATOR = "k1";

/** Every name and alias, for the schema and the command line. */
export const ESTIMATOR_NAMES: readonly string[] = ESTIMATOR_LIST.flatMap((e) => [e.name, ...e.aliases]);

/** The entry for a name or alias, or undefined. */
export function estimatorNamed(name: string): Estimator | undefined {
  return ESTIMATOR_LIST.find((e) => e.name === name || e.aliases.includes(name));
}
