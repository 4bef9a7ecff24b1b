/** `klsim estimators`: the estimator lab's table — what each KL estimator × placement really optimises, and where it settles. */
import { InputError } from "../errors.js";
import { simConfigOf } from "../scenario/loader.js";
import { type EstimatorRow, estimatorRows } from "../explore/estimators.js";
import { booleanFlag, type CommandSpec, type ParsedArgs } from "./args.js";
import { fmt } from "./final-summary.js";
import type { Io } from "./io.js";
import { BETA_FLAG, JSON_FLAG, loadScenarioFor, PENALTY_FLAG, SET_FLAG, STEPS_FLAG } from "./overrides.js";

export const estimatorsSpec: CommandSpec = {
  name: "estimators",
  summary:
    "For each KL estimator (k1, k2, k3, rho-k3, abs, full) × where it enters (reward, loss), with the scenario's baseline and the mean one where it matters: what its expected gradient optimises (Tang & Munos 2025), its cosine with ∇KL(π‖π_ref) and ∇KL(π_ref‖π) just off π_ref and at the reverse optimum, where expected-mode training settles after the scenario's steps (or the step it diverges at), and the standard deviation of one sample's estimate.",
  positionals: [
    {
      name: "scenario",
      required: true,
      describe: "a name in scenarios/ or a path to a .json file (its sampling block sets batch, algorithm, sampler, baseline)",
    },
  ],
  flags: [BETA_FLAG, STEPS_FLAG, PENALTY_FLAG, SET_FLAG, JSON_FLAG],
  examples: ["klsim estimators basic", "klsim estimators estimators --beta 0.5 --json", "klsim estimators basic --set sampling.top_k=2"],
};

export async function estimatorsCommand(args: ParsedArgs, io: Io): Promise<number> {
  const scenario = await loadScenarioFor(args, args.positionals[0]!);
  if (scenario.sequence) {
    throw new InputError(
      "the estimator lab analyses one-token scenarios; for a sequence scenario compare sampling.kl_placement and sampling.estimator with klsim run --set (README: Sequence mode)",
      undefined,
      scenario.file,
    );
  }
  const sim = simConfigOf({ ...scenario, spec: { ...scenario.spec, mode: "expected" } });
  const rows = estimatorRows({ problem: scenario.problem, sim, sampling: sim.training!.config, steps: scenario.spec.steps });
  if (booleanFlag(args, "json")) {
    io.out(JSON.stringify(rows) + "\n");
    return 0;
  }
  const { spec } = scenario;
  io.out(
    `${spec.name}: β ${fmt(spec.beta)}, ${spec.steps} steps of expected-mode ${spec.optimizer.kind} lr ${fmt(spec.optimizer.lr)}, batch ${spec.sampling.batch}\n\n${table(rows)}`,
  );
  return 0;
}

function table(rows: EstimatorRow[]): string {
  const headers = [
    "estimator",
    "kl_in",
    "baseline",
    "optimises",
    "cos_rev ref/opt",
    "cos_fwd ref/opt",
    "reward",
    "reverse_kl",
    "forward_kl",
    "tv→rev",
    "tv→fwd",
    "sd_opt",
  ];
  const pair = (c: { ref: number; opt: number }) => `${c.ref.toFixed(3)}/${c.opt.toFixed(3)}`;
  const body = rows.map((r) => {
    const f = r.fixed_point;
    const settled = f
      ? [f.reward, f.reverse_kl, f.forward_kl, f.tv_to_reverse, f.tv_to_forward].map(fmt)
      : [`diverged at step ${r.diverged_at}`, "", "", "", ""];
    return [r.estimator, r.kl_in, r.baseline, r.optimises, pair(r.cos_reverse), pair(r.cos_forward), ...settled, fmt(r.sd_opt)];
  });
  const widths = headers.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  const text = (cells: string[]) =>
    cells
      .map((cell, c) => (c < 4 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join("  ")
      .trimEnd();
  return [text(headers), ...body.map(text)].join("\n") + "\n";
}
