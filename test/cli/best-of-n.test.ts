/** `klsim best-of-n` on basic (π_ref uniform over 4, r = 1 on one token): π_bon(good) = 1 − (3/4)ⁿ by hand. */
import { describe, expect, it } from "vitest";
import { klsim } from "./klsim.js";

describe("klsim best-of-n", () => {
  it("--json: the hand values for basic, n = 1..3", async () => {
    const result = await klsim(["best-of-n", "basic", "--n", "1:3", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { best_of_n: Array<{ n: number; reverse_kl: number; bound: number; reward: number; policy: number[] }> };
    expect(out.best_of_n.map((b) => b.n)).toEqual([1, 2, 3]);
    for (const b of out.best_of_n) {
      const good = 1 - 0.75 ** b.n;
      const kl = good * Math.log(4 * good) + (1 - good) * Math.log((4 * (1 - good)) / 3);
      expect(b.policy[0]).toBeCloseTo(good, 14);
      expect(b.policy[1]).toBeCloseTo((1 - good) / 3, 14);
      expect(b.reverse_kl).toBeCloseTo(kl, 13);
      expect(b.bound).toBeCloseTo(Math.log(b.n) - (b.n - 1) / b.n, 15);
      expect(b.reward).toBeCloseTo(good, 14);
    }
  });

  it("the table; bad --n is one line, exit 2", async () => {
    const table = await klsim(["best-of-n", "reward-hacking", "--n", "1,16"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^\s+n\s+reverse_kl\s+bound\s+gap\s+reward\s+gold/m);
    for (const bad of ["0", "2:1", "1.5", "x"]) {
      const result = await klsim(["best-of-n", "basic", "--n", bad]);
      expect(result.code, bad).toBe(2);
      expect(result.stderr).toMatch(/^--n: /);
    }
  });
});
