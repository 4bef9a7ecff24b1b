/** Colours shared by the live charts and the token panel (ink / chalk colour names). */
export const COLORS = {
  reward: "green",
  gold: "yellow",
  reverseKL: "magenta",
  forwardKL: "cyan",
  /** The sampled-mode KL estimate. */
  estimate: "red",
  /** The closed-form optimum π* (dashed lines, ◆ markers). */
  optimum: "gray",
  /** Where a sampled configuration really settles (its fixed point), when that is not π*. */
  fixedPoint: "redBright",
  /** π* evaluated on the gold reward. */
  optimumGold: "white",
  /** The adaptive controller's target KL. */
  target: "yellow",
  /** A run pinned with `c`, drawn under the live one. */
  pinned: "blue",
  /** β(t) strip. */
  beta: "yellow",
  /** A key changed β, the penalty or the estimator here. */
  marker: "yellowBright",
  policy: "blueBright",
  /** A token's reward and log-ratio. */
  info: "gray",
  reference: "white",
  paused: "yellow",
  running: "green",
  failure: "red",
  message: "yellow",
} as const;
