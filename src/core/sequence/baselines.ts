/** The baseline registry is shared with the bandit's sampled training: src/core/baselines.ts. */
export * from "../baselines.js";
