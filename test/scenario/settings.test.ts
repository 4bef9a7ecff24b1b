/**
 * Scenario settings (`--set KEY=VALUE`, the TRL/verl/OpenRLHF aliases, the named flags), in-process:
 * every field of the table is reachable and lands where it should, each alias maps where DESIGN.md
 * §4 says, a variant follows its key, and each bad setting gives one line that names it. Expected
 * values are written out by hand or computed here from the closed forms (softmax, normalisation).
 */
import { describe, expect, it } from "vitest";
import { randomFeatures } from "../../src/core/families/students.js";
import { InputError } from "../../src/errors.js";
import { KEY_ALIASES } from "../../src/scenario/aliases.js";
import { type Scenario, tokenNames } from "../../src/scenario/loader.js";
import { loadWithSettings, parseSetting, type Setting, settablePaths } from "../../src/scenario/settings.js";

function sets(...texts: string[]): Setting[] {
  return texts.map((t) => parseSetting(t));
}

const load = (scenario: string, ...texts: string[]) => loadWithSettings(scenario, sets(...texts));

/** The one-line message a load fails with. */
async function failure(scenario: string, ...texts: string[]): Promise<string> {
  try {
    await load(scenario, ...texts);
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error(`expected ${texts.join(" ")} on ${scenario} to be refused`);
}

function softmax(logits: number[]): number[] {
  const m = Math.max(...logits);
  const e = logits.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

interface Case {
  /** The path under test (the last setting's key). */
  path: string;
  scenario: string;
  settings: string[];
  /** What the loaded scenario must show. */
  check: (s: Scenario) => void;
}

const CASES: Case[] = [
  { path: "name", scenario: "basic", settings: ["name=renamed"], check: (s) => expect(s.spec.name).toBe("renamed") },
  { path: "description", scenario: "basic", settings: ["description=why"], check: (s) => expect(s.spec.description).toBe("why") },
  { path: "vocab", scenario: "large-vocab", settings: ["vocab=8"], check: (s) => expect([s.spec.vocab, s.problem.V]).toEqual([8, 8]) },
  { path: "tokens", scenario: "basic", settings: ['tokens=["a","b","c","d"]'], check: (s) => expect(tokenNames(s)).toEqual(["a", "b", "c", "d"]) },
  { path: "reference", scenario: "basic", settings: ["reference=[0.4,0.3,0.2,0.1]"], check: (s) => expect([...s.problem.ref]).toEqual([0.4, 0.3, 0.2, 0.1]) },
  {
    path: "reference.logits",
    scenario: "basic",
    settings: [`reference.logits=[0,${Math.log(3)},0,0]`],
    check: (s) => expectClose([...s.problem.ref], [1 / 6, 3 / 6, 1 / 6, 1 / 6]),
  },
  {
    // weights i + 1 = 1, 2, 3, 4, normalised by 10
    path: "reference.expr",
    scenario: "basic",
    settings: ["reference.expr=i + 1"],
    check: (s) => expectClose([...s.problem.ref], [0.1, 0.2, 0.3, 0.4]),
  },
  {
    path: "reference.as",
    scenario: "basic",
    settings: ["reference.expr=i", "reference.as=logits"],
    check: (s) => expectClose([...s.problem.ref], softmax([0, 1, 2, 3])),
  },
  { path: "reward", scenario: "basic", settings: ["reward=[0,1,0,0]"], check: (s) => expect([...s.problem.reward]).toEqual([0, 1, 0, 0]) },
  { path: "reward.expr", scenario: "basic", settings: ["reward.expr=2*i"], check: (s) => expect([...s.problem.reward]).toEqual([0, 2, 4, 6]) },
  { path: "gold", scenario: "basic", settings: ["gold=[0,0,1,0]"], check: (s) => expect([...s.problem.gold!]).toEqual([0, 0, 1, 0]) },
  { path: "gold.expr", scenario: "adaptive", settings: ["gold.expr=-i"], check: (s) => expect([...s.problem.gold!]).toEqual([-0, -1, -2, -3, -4, -5]) },
  { path: "penalty", scenario: "basic", settings: ["penalty=forward"], check: (s) => expect(s.spec.penalty).toBe("forward") },
  { path: "beta", scenario: "basic", settings: ["beta=0.25"], check: (s) => expect(s.spec.beta).toBe(0.25) },
  {
    path: "controller",
    scenario: "basic",
    settings: ['controller={"kind":"adaptive","target":0.1,"horizon":50}'],
    check: (s) => expect(s.spec.controller).toEqual({ kind: "adaptive", target: 0.1, horizon: 50 }),
  },
  // a tag keeps the keys its kind has and drops the others
  { path: "controller.kind", scenario: "adaptive", settings: ["controller.kind=fixed"], check: (s) => expect(s.spec.controller).toEqual({ kind: "fixed" }) },
  // a key only one kind has switches to that kind (the horizon defaults to TRL's 10000)
  {
    path: "controller.target",
    scenario: "basic",
    settings: ["controller.target=0.2"],
    check: (s) => expect(s.spec.controller).toEqual({ kind: "adaptive", target: 0.2, horizon: 10_000 }),
  },
  {
    path: "controller.horizon",
    scenario: "adaptive",
    settings: ["controller.horizon=50"],
    check: (s) => expect(s.spec.controller).toEqual({ kind: "adaptive", target: 0.3, horizon: 50 }),
  },
  {
    path: "controller.expr",
    scenario: "basic",
    settings: ["controller.expr=1/(1+t)"],
    check: (s) => {
      expect(s.spec.controller).toEqual({ kind: "schedule", expr: "1/(1+t)" });
      expect(s.schedule!(3)).toBe(1 / 4);
    },
  },
  {
    path: "optimizer",
    scenario: "basic",
    settings: ['optimizer={"kind":"adam"}'],
    check: (s) => expect(s.spec.optimizer).toEqual({ kind: "adam", lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8 }),
  },
  // basic's lr 1 is kept: the setting changes the kind, not the step size
  {
    path: "optimizer.kind",
    scenario: "basic",
    settings: ["optimizer.kind=adam"],
    check: (s) => expect(s.spec.optimizer).toEqual({ kind: "adam", lr: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8 }),
  },
  { path: "optimizer.lr", scenario: "basic", settings: ["optimizer.lr=0.3"], check: (s) => expect(s.spec.optimizer).toEqual({ kind: "sgd", lr: 0.3 }) },
  { path: "optimizer.beta1", scenario: "large-vocab", settings: ["optimizer.beta1=0.5"], check: (s) => expect(s.spec.optimizer).toMatchObject({ beta1: 0.5 }) },
  { path: "optimizer.beta2", scenario: "large-vocab", settings: ["optimizer.beta2=0.9"], check: (s) => expect(s.spec.optimizer).toMatchObject({ beta2: 0.9 }) },
  { path: "optimizer.eps", scenario: "large-vocab", settings: ["optimizer.eps=1e-6"], check: (s) => expect(s.spec.optimizer).toMatchObject({ eps: 1e-6 }) },
  {
    path: "mode",
    scenario: "basic",
    settings: ["mode=sampled"],
    check: (s) => {
      expect(s.spec.mode).toBe("sampled");
      expect(typeof s.randomFor).toBe("function"); // the sampler is set up too
    },
  },
  {
    path: "sampling",
    scenario: "basic",
    settings: ["mode=sampled", 'sampling={"batch":8}'],
    check: (s) =>
      expect(s.spec.sampling).toEqual({
        batch: 8,
        algorithm: "reinforce",
        estimator: "k1",
        klIn: "reward",
        clip: 0.2,
        epochs: 4,
        baseline: "loo",
        temperature: 1,
        topK: null,
        klPlacement: "token-reward",
        aggregation: "sum",
      }),
  },
  { path: "sampling.batch", scenario: "sampled-ppo", settings: ["sampling.batch=8"], check: (s) => expect(s.spec.sampling.batch).toBe(8) },
  {
    path: "sampling.algorithm",
    scenario: "sampled-ppo",
    settings: ["sampling.algorithm=reinforce"],
    check: (s) => expect(s.spec.sampling.algorithm).toBe("reinforce"),
  },
  { path: "sampling.estimator", scenario: "sampled-ppo", settings: ["sampling.estimator=k3"], check: (s) => expect(s.spec.sampling.estimator).toBe("k3") },
  { path: "sampling.kl_in", scenario: "sampled-ppo", settings: ["sampling.kl_in=loss"], check: (s) => expect(s.spec.sampling.klIn).toBe("loss") },
  { path: "sampling.clip", scenario: "sampled-ppo", settings: ["sampling.clip=0.1"], check: (s) => expect(s.spec.sampling.clip).toBe(0.1) },
  { path: "sampling.epochs", scenario: "sampled-ppo", settings: ["sampling.epochs=2"], check: (s) => expect(s.spec.sampling.epochs).toBe(2) },
  { path: "sampling.baseline", scenario: "sampled-ppo", settings: ["sampling.baseline=mean"], check: (s) => expect(s.spec.sampling.baseline).toBe("mean") },
  {
    path: "sampling.temperature",
    scenario: "sampled-ppo",
    settings: ["sampling.temperature=0.7"],
    check: (s) => expect(s.spec.sampling.temperature).toBe(0.7),
  },
  { path: "sampling.top_k", scenario: "sampled-ppo", settings: ["sampling.top_k=2"], check: (s) => expect(s.spec.sampling.topK).toBe(2) },
  {
    path: "sampling.kl_placement",
    scenario: "sequence-basic",
    settings: ["mode=expected", "sampling.kl_placement=token-loss"],
    check: (s) => expect(s.spec.sampling.klPlacement).toBe("token-loss"),
  },
  {
    path: "sampling.aggregation",
    scenario: "sequence-basic",
    settings: ["mode=expected", "sampling.aggregation=token-mean"],
    check: (s) => expect(s.spec.sampling.aggregation).toBe("token-mean"),
  },
  {
    path: "controller.kl",
    scenario: "sequence-basic",
    settings: ["controller.target=0.5", "controller.kl=token-mean"],
    check: (s) => expect(s.spec.controller).toEqual({ kind: "adaptive", target: 0.5, horizon: 10_000, kl: "token-mean" }),
  },
  {
    path: "sequence",
    scenario: "sequence-basic",
    settings: ['sequence={"horizon":2}'],
    check: (s) => expect(s.sequence!.tree.sequences).toBe(9), // 3² sequences of 2 tokens
  },
  { path: "sequence.horizon", scenario: "sequence-basic", settings: ["sequence.horizon=3"], check: (s) => expect(s.sequence!.tree.nodes).toBe(1 + 3 + 9) },
  {
    path: "sequence.eos",
    scenario: "sequence-basic",
    settings: ["sequence.eos=bad"],
    // eos = bad: prefixes over {good, ok} up to 3 tokens (1 + 2 + 4 + 8 = 15), one sequence per eos edge plus 2⁴ full ones
    check: (s) => expect([s.sequence!.tree.nodes, s.sequence!.tree.sequences]).toEqual([15, 15 + 16]),
  },
  { path: "steps", scenario: "basic", settings: ["steps=17"], check: (s) => expect(s.spec.steps).toBe(17) },
  { path: "seed", scenario: "sampled-ppo", settings: ["seed=9"], check: (s) => expect(s.spec.seed).toBe(9) },
  // fit mode (bimodal-distill: V = 40, a Gaussian student; lowrank-distill: V = 32, rank 4)
  { path: "teacher", scenario: "bimodal-distill", settings: ['teacher={"expr":"1"}'], check: (s) => expectClose([...s.problem.ref], Array(40).fill(1 / 40)) },
  // weights i + 1, normalised by Σ(i + 1) = 40·41/2 = 820
  { path: "teacher.expr", scenario: "bimodal-distill", settings: ["teacher.expr=i+1"], check: (s) => expect(s.problem.ref[3]).toBeCloseTo(4 / 820, 15) },
  {
    path: "teacher.as",
    scenario: "bimodal-distill",
    settings: ["teacher.expr=i/10", "teacher.as=logits"],
    check: (s) => expect(s.problem.ref[11]! / s.problem.ref[1]!).toBeCloseTo(Math.E, 12),
  },
  {
    path: "teacher.logits",
    scenario: "bimodal-distill",
    settings: [`teacher=[${Array(40).fill(0.025)}]`, `teacher.logits=[${Array(40).fill(0)}]`],
    check: (s) => expect(s.problem.ref[7]).toBeCloseTo(1 / 40, 15),
  },
  {
    path: "student",
    scenario: "bimodal-distill",
    settings: ['student={"family":"mixture","components":3}'],
    check: (s) =>
      expect(s.student).toEqual({
        family: "mixture",
        weights: [1 / 3, 1 / 3, 1 / 3],
        means: [(0.5 * 40) / 3 - 0.5, (1.5 * 40) / 3 - 0.5, (2.5 * 40) / 3 - 0.5],
        sigmas: [40 / 12, 40 / 12, 40 / 12],
      }),
  },
  {
    path: "student.family",
    scenario: "bimodal-distill",
    settings: ["student.family=gaussian"],
    check: (s) => expect(s.student).toEqual({ family: "gaussian", mu: 19.5, sigma: 8 }),
  },
  {
    path: "student.mu",
    scenario: "bimodal-distill",
    settings: ["student.mu=11"],
    check: (s) => expect(s.student).toEqual({ family: "gaussian", mu: 11, sigma: 8 }),
  },
  {
    path: "student.sigma",
    scenario: "bimodal-distill",
    settings: ["student.sigma=3"],
    check: (s) => expect(s.student).toEqual({ family: "gaussian", mu: 19.5, sigma: 3 }),
  },
  {
    path: "student.components",
    scenario: "bimodal-distill",
    settings: ['student={"family":"mixture"}', "student.components=4"],
    check: (s) => expect(s.student?.family === "mixture" && s.student.means).toEqual([4.5, 14.5, 24.5, 34.5]),
  },
  {
    path: "student.weights",
    scenario: "bimodal-distill",
    settings: ['student={"family":"mixture"}', "student.weights=[3,1]"],
    check: (s) => expect(s.student?.family === "mixture" && s.student.weights).toEqual([3, 1]),
  },
  {
    path: "student.means",
    scenario: "bimodal-distill",
    settings: ['student={"family":"mixture"}', "student.means=[2,30]"],
    check: (s) => expect(s.student?.family === "mixture" && s.student.means).toEqual([2, 30]),
  },
  {
    path: "student.sigmas",
    scenario: "bimodal-distill",
    settings: ['student={"family":"mixture"}', "student.sigmas=[1,2]"],
    check: (s) => expect(s.student?.family === "mixture" && s.student.sigmas).toEqual([1, 2]),
  },
  {
    path: "student.rank",
    scenario: "lowrank-distill",
    settings: ["student.rank=2"],
    check: (s) => expect(s.student?.family === "lowrank" && [s.student.features.length, s.student.init]).toEqual([64, [0, 0]]),
  },
  {
    path: "student.features",
    scenario: "lowrank-distill",
    settings: [`student.features=${JSON.stringify(Array.from({ length: 32 }, (_, i) => [i, 0, 0, 1]))}`],
    check: (s) => expect(s.student?.family === "lowrank" && [s.student.features[4 * 5]!, s.student.features[4 * 5 + 3]!]).toEqual([5, 1]),
  },
  {
    path: "student.features.expr",
    scenario: "lowrank-distill",
    settings: ["student.features.expr=i*k"],
    check: (s) => expect(s.student?.family === "lowrank" && s.student.features[4 * 7 + 3]).toBe(21),
  },
  {
    // without features the seed draws them: another seed, other features
    path: "student.seed",
    scenario: "lowrank-distill",
    settings: ['student={"family":"lowrank","rank":2}', "student.seed=5"],
    check: (s) => expect(s.student?.family === "lowrank" && Array.from(s.student.features)).toEqual(Array.from(randomFeatures(32, 2, 5))),
  },
  {
    path: "student.init",
    scenario: "lowrank-distill",
    settings: ["student.init=[1,2,3,4]"],
    check: (s) => expect(s.student?.family === "lowrank" && s.student.init).toEqual([1, 2, 3, 4]),
  },
  // editors' key: accepted and without effect
  { path: "$schema", scenario: "basic", settings: ["$schema=elsewhere.json"], check: (s) => expect(s.spec.name).toBe("basic") },
];

function expectClose(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, 14));
}

describe("every scenario field can be set", () => {
  it("the cases cover exactly the settable paths", () => {
    expect(CASES.map((c) => c.path).sort()).toEqual(settablePaths().sort());
  });

  it.each(CASES)("$path: $settings on $scenario", async ({ path, scenario, settings, check }) => {
    expect(settings[settings.length - 1]!.startsWith(`${path}=`)).toBe(true);
    check(await load(scenario, ...settings));
  });

  it("a text field takes VALUE as typed: controller.expr=0.5 and name=123 are text", async () => {
    expect((await load("basic", "controller.expr=0.5")).spec.controller).toEqual({ kind: "schedule", expr: "0.5" });
    expect((await load("basic", "name=123")).spec.name).toBe("123");
  });

  it("later settings win, and the file is not changed", async () => {
    const s = await load("basic", "beta=0.3", "beta=0.7");
    expect(s.spec.beta).toBe(0.7);
    expect((await load("basic")).spec.beta).toBe(0.5);
  });

  it("VALUE is JSON when it parses, else text", () => {
    expect(parseSetting("a=0.5").value).toBe(0.5);
    expect(parseSetting("a=true").value).toBe(true);
    expect(parseSetting("a=[1,2]").value).toEqual([1, 2]);
    expect(parseSetting('a="0.5"').value).toBe("0.5");
    expect(parseSetting("a=sampled").value).toBe("sampled");
    expect(parseSetting("a=").value).toBe("");
    expect(parseSetting("a=b=c").value).toBe("b=c"); // the first = splits
  });
});

describe("aliases (DESIGN.md §4)", () => {
  const ALIASES: Array<[string, string, string, (s: Scenario) => unknown, unknown]> = [
    ["kl_coef=0.3", "basic", "beta", (s) => s.spec.beta, 0.3],
    ["init_kl_coef=0.3", "basic", "beta", (s) => s.spec.beta, 0.3],
    ["target_kl=0.2", "adaptive", "controller.target", (s) => s.spec.controller, { kind: "adaptive", target: 0.2, horizon: 100 }],
    ["kl_target=0.2", "basic", "controller.target", (s) => s.spec.controller, { kind: "adaptive", target: 0.2, horizon: 10_000 }],
    ["kl_horizon=500", "adaptive", "controller.horizon", (s) => s.spec.controller, { kind: "adaptive", target: 0.3, horizon: 500 }],
    ["kl_estimator=k2", "sampled-ppo", "sampling.estimator", (s) => s.spec.sampling.estimator, "k2"],
    ["kl_penalty=abs", "sampled-ppo", "sampling.estimator", (s) => s.spec.sampling.estimator, "abs"],
    ["use_kl_loss=true", "sampled-ppo", "sampling.kl_in", (s) => s.spec.sampling.klIn, "loss"],
  ];

  it("are exactly DESIGN.md's list", () => {
    expect(Object.keys(KEY_ALIASES).sort()).toEqual(ALIASES.map(([text]) => text.split("=")[0]).sort());
    for (const [text, , path] of ALIASES) expect(KEY_ALIASES[text.split("=")[0]!]!.path).toBe(path);
  });

  it.each(ALIASES)("%s on %s sets %s", async (text, scenario, _path, get, expected) => {
    expect(get(await load(scenario, text))).toEqual(expected);
  });

  it("use_kl_loss=false puts the KL back in the reward", async () => {
    expect((await load("sampled-grpo", "use_kl_loss=false")).spec.sampling.klIn).toBe("reward");
  });

  it.each([
    ["kl", "k1"],
    ["mse", "k2"],
    ["low_var_kl", "k3"],
  ])("verl's estimator name %s is %s (in files and settings alike)", async (alias, name) => {
    expect((await load("sampled-ppo", `kl_penalty=${alias}`)).spec.sampling.estimator).toBe(name);
    expect((await load("sampled-ppo", `sampling.estimator=${alias}`)).spec.sampling.estimator).toBe(name);
  });
});

describe("bad settings: one line naming the setting", () => {
  it.each([
    [["sampling.estimatr=k3"], "basic", '--set sampling.estimatr: unknown scenario field (did you mean "sampling.estimator"?)'],
    [["kl_coeff=0.1"], "basic", '--set kl_coeff: unknown scenario field (did you mean "kl_coef"?)'],
    [["beta"], "basic", "--set: expected KEY=VALUE (e.g. sampling.estimator=k3), got 'beta'"],
    [["=3"], "basic", "--set: expected KEY=VALUE (e.g. sampling.estimator=k3), got '=3'"],
    [["beta=-1"], "basic", "--set beta: must be ≥ 0, got -1"],
    [["kl_coef=-1"], "basic", "--set kl_coef: must be ≥ 0, got -1"],
    [["beta=high"], "basic", '--set beta: expected a number, got the string "high"'],
    [["beta=1e400"], "basic", "--set beta: expected a finite number, got Infinity"],
    [["sampling.batch=0"], "sampled-ppo", "--set sampling.batch: must be ≥ 1, got 0"],
    [["mode=sample"], "basic", '--set mode: expected one of "exact", "sampled", "expected", "fit", got the string "sample" (did you mean "sampled"?)'],
    [
      ["kl_estimator=k4"],
      "sampled-ppo",
      '--set kl_estimator: expected one of "k1", "kl", "k2", "mse", "k3", "low_var_kl", "rho-k3", "abs", "full", got the string "k4" (did you mean "k1"?)',
    ],
    [["use_kl_loss=yes"], "sampled-ppo", '--set use_kl_loss: expected true or false, got the string "yes"'],
    [["optimizer.beta1=0.5"], "basic", '--set optimizer.beta1: unknown key for kind "sgd" (kind "adam" has it); allowed: kind, lr'],
    [["controller.kind=adaptive"], "basic", "--set controller.kind: controller.target: expected a number, got nothing (the key is missing)"],
    [["controller.kind=schedule"], "basic", "--set controller.kind: controller.expr: expected a string, got nothing (the key is missing)"],
    [['tokens=["a","b","c"]'], "basic", "--set tokens: reference: has 4 entries but tokens has 3"],
    [["reference=[0.5,0.5,0,0]"], "basic", "--set reference: entry 2 is 0; a reference policy must be strictly positive"],
    [["reference=[1,2,3,4]"], "basic", "--set reference: probabilities sum to 10, expected 1"],
    [["reward.expr=x"], "basic", "--set reward.expr: unknown symbol"],
    [["reward=[1,0,0,1e301]"], "basic", "--set reward[3]: is 1e+301; rewards must lie within ±1e300"],
    [["controller.expr=-1"], "basic", "--set controller.expr: evaluates to -1 at t = 0; beta must be ≥ 0"],
    [["beta=1"], "schedule", "--set beta: cannot override beta of a schedule controller (edit controller.expr instead)"],
    [["sampling.batch=8"], "basic", "--set sampling.batch: has no effect in exact mode (set mode=sampled or mode=expected too)"],
  ])("%j on %s", async (texts, scenario, expected) => {
    const message = await failure(scenario, ...texts);
    expect(message.startsWith(expected), message).toBe(true);
    expect(message).not.toMatch(/\n/);
  });

  it("the file's own errors stay the file's, even where a setting would change the field", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const file = join(mkdtempSync(join(tmpdir(), "klsim-settings-")), "bad.json");
    writeFileSync(file, JSON.stringify({ reference: [0.5, 0.5], reward: [1, 0], steps: 0 }));
    expect(await failure(file, "steps=5")).toBe(`${file}: steps: must be ≥ 1, got 0`);
  });
});
