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
  /** π* evaluated on the gold reward. */
  optimumGold: "white",
  policy: "blueBright",
  reference: "white",
  paused: "yellow",
  running: "green",
  failure: "red",
  message: "yellow",
} as const;
