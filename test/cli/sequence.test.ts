/**
 * The CLI on sequence scenarios, as a user runs it: `run` records with the sequence columns, `optimum`
 * by soft Bellman (π* of the top sequence checked against π_ref·exp(R/β)/Z written out here), `sweep`,
 * bad input, and `bench`'s sequence line at V = 4, T = 7: (4⁷ − 1)/3 = 5461 logit rows, 5461 + 4⁷ =
 * 21 845 prefix nodes.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { klsim } from "./klsim.js";

describe("klsim on sequence scenarios", () => {
  it("run --out: CSV with mean_length and token_mean_kl; step 0 has length T = 4 and KL 0 (π = π_ref)", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "klsim-seq-cli-")), "seq.csv");
    const result = await klsim(["run", "sequence-basic", "--steps", "20", "--every", "10", "--out", out, "--quiet"]);
    expect(result.code).toBe(0);
    const [header, first] = readFileSync(out, "utf8").trim().split("\n");
    expect(header!.split(",").slice(-2)).toEqual(["mean_length", "token_mean_kl"]);
    const cells = first!.split(",").map(Number);
    expect(cells[cells.length - 2]).toBeCloseTo(4, 12);
    expect(cells[cells.length - 1]).toBeCloseTo(0, 12);
  });

  it("optimum --json: the soft-Bellman π* over the 81 sequences; 'good good good good' has π_ref·e^(R/β)/Z", async () => {
    const result = await klsim(["optimum", "sequence-basic", "--json"]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as { policy: number[] };
    expect(json.policy).toHaveLength(81);
    let z = 0;
    let best = 0;
    for (let k = 0; k < 81; k++) {
      const s = [0, 1, 2, 3].map((t) => Math.floor(k / 3 ** t) % 3);
      const ref = s.reduce((p, a, t) => p * (t === 0 ? 1 / 3 : a === s[t - 1] ? 0.5 : 0.25), 1);
      const w = ref * Math.exp((s.filter((a) => a === 0).length - 0.5 * s.filter((a) => a === 2).length) / 0.5);
      z += w;
      if (s.every((a) => a === 0)) best = w;
    }
    expect(Math.max(...json.policy)).toBeCloseTo(best / z, 12);
    expect(json.policy.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it("sweep: one row per β with the optimum's KL", async () => {
    const result = await klsim(["sweep", "sequence-basic", "--beta", "0.5,1", "--set", "steps=5", "--json"]);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as Array<Record<string, number>>;
    expect(rows.map((r) => r.beta)).toEqual([0.5, 1]);
    expect(rows[0]!.opt_reverse_kl).toBeGreaterThan(rows[1]!.opt_reverse_kl!); // a larger β stays closer
  });

  it("a horizon with too many prefixes: exit 2, one line naming the file and sequence.horizon", async () => {
    const result = await klsim(["run", "sequence-basic", "--set", "sequence.horizon=12"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/--set sequence\.horizon: V = 3, horizon 12 gives more than 100000 prefixes/);
  });

  it("tui without a terminal: the static report lists the top sequences as token strings and the KL by position", async () => {
    const result = await klsim(["tui", "sequence-basic", "--steps", "5"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("of 81 sequences");
    expect(result.stdout).toMatch(/^good good good good /m);
    expect(result.stdout).toContain("KL by position");
  });

  it("estimators refuses a sequence scenario in one line, exit 2", async () => {
    const result = await klsim(["estimators", "sequence-basic"]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("sequence-basic.json: the estimator lab analyses one-token scenarios");
  });

  it("bench --json reports the sequence step at V = 4, T = 7 per prefix node", async () => {
    const result = await klsim(["bench", "--vocab", "2", "--steps", "10", "--repeat", "1", "--long", "0", "--sequence-steps", "20", "--json"], {
      timeout: 120_000,
    });
    expect(result.code).toBe(0);
    const q = JSON.parse(result.stdout).sequence as Record<string, number>;
    expect([q.vocab, q.horizon, q.prefixes, q.prefix_nodes, q.steps]).toEqual([4, 7, 5461, 21_845, 20]);
    expect(q.ns_per_prefix_node).toBeGreaterThan(0);
  });
});
