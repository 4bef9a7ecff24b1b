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
}

export const ESTIMATOR_LIST: readonly Estimator[] = [
  {
    name: "k1",
    aliases: ["kl"],
    describe: "ℓ: unbiased, high variance, can be negative",
    perSample: true,
    value: (l) => l,
    slope: () => 1,
  },
  {
    name: "k2",
    aliases: ["mse"],
    describe: "ℓ²/2: biased, low variance, ≥ 0",
    perSample: true,
    value: (l) => 0.5 * l * l,
    slope: (l) => l,
  },
  {
    name: "k3",
    aliases: ["low_var_kl"],
    describe: "e^(−ℓ) − 1 + ℓ: unbiased, ≥ 0, low variance near π_ref",
    perSample: true,
    value: (l) => Math.expm1(-l) + l,
    slope: (l) => -Math.expm1(-l), // 1 − e^(−ℓ)
  },
  {
    name: "abs",
    aliases: [],
    describe: "|ℓ|: biased, ≥ 0",
    perSample: true,
    value: (l) => Math.abs(l),
    slope: (l) => Math.sign(l),
  },
  {
    name: "full",
    aliases: [],
    describe: "the exact KL over the vocabulary (no sampling noise)",
    perSample: false,
    value: () => NaN,
    slope: () => NaN,
  },
];

/** Every name and alias, for the schema and the command line. */
export const ESTIMATOR_NAMES: readonly string[] = ESTIMATOR_LIST.flatMap((e) => [e.name, ...e.aliases]);

/** The entry for a name or alias, or undefined. */
export function estimatorNamed(name: string): Estimator | undefined {
  return ESTIMATOR_LIST.find((e) => e.name === name || e.aliases.includes(name));
}
