/** `klsim [scenario]` / `klsim tui [scenario]`: the interactive UI, or a static report without a TTY. */
import { numberFlag, type CommandSpec, type ParsedArgs } from "./args.js";
import type { Io } from "./io.js";
import { BETA_FLAG, loadScenarioFor, LR_FLAG, PENALTY_FLAG, SET_FLAG, STEPS_FLAG, TRAINING_FLAGS } from "./overrides.js";
import { runScenario } from "./run.js";

export const tuiSpec: CommandSpec = {
  name: "tui",
  summary:
    "Watch the policy train live and steer it: space pause, n step, +/- beta, 0 beta=0, d penalty, [/] speed, z zoom, g log scale, r reset, s next scenario, e export, ? help, q quit. Without a terminal (piped, CI) prints a static report after the scenario's steps. NO_COLOR=1 turns colour off.",
  positionals: [{ name: "scenario", required: false, describe: "a name in scenarios/ or a path to a .json file (default: basic)" }],
  flags: [
    { ...STEPS_FLAG, describe: "pause at step N (space runs on); without a terminal, the steps of the report (default: the scenario's)" },
    BETA_FLAG,
    PENALTY_FLAG,
    LR_FLAG,
    ...TRAINING_FLAGS,
    SET_FLAG,
  ],
  examples: ["klsim", "klsim tui mode-seeking", "klsim reward-hacking --beta 0.3", "klsim tui adaptive --steps 500", "klsim basic | cat    # static report"],
};

export async function tuiCommand(args: ParsedArgs, io: Io): Promise<number> {
  const scenario = await loadScenarioFor(args, args.positionals[0] ?? "basic");
  if (!io.stdoutIsTTY || !process.stdin.isTTY) {
    const { staticReport } = await import("../tui/report.js");
    const { sim, failure } = await runScenario(scenario, { every: 1, signal: io.signal });
    io.out(staticReport(scenario, sim, Math.min(process.stdout.columns || 100, 120)));
    if (failure) io.err(`${scenario.file}: ${failure}`);
    return failure ? 1 : 0;
  }
  // Loaded only here: `klsim run` and friends never pay for ink and react.
  const { runTui } = await import("../tui/app.js");
  return runTui(scenario, { stopAt: numberFlag(args, "steps") === undefined ? undefined : scenario.spec.steps });
}
