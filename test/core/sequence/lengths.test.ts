import { describe, expect, it } from "vitest";
import { LengthLaw } from "../../../src/core/sequence/lengths.js";

/** E[1/(x + M)] over every tuple of m lengths, by brute force. */
function bruteInverse(prob: number[], m: number, x: number): number {
  let sum = 0;
  const walk = (depth: number, p: number, total: number) => {
    if (depth === m) {
      sum += p / (x + total);
      return;
    }
    for (let l = 1; l < prob.length; l++) if (prob[l]! > 0) walk(depth + 1, p * prob[l]!, total + l);
  };
  walk(0, 1, 0);
  return sum;
}

describe("LengthLaw: the law of the other sequences' summed length", () => {
  const prob = [0, 0.2, 0.5, 0.3]; // Pr(n = 1, 2, 3)
  for (const B of [1, 2, 3, 5]) {
    it(`B = ${B}: E[1/(x + M)] over B − 1 and B − 2 others equals the sum over all tuples`, () => {
      const law = new LengthLaw(3, B);
      law.clear();
      for (let l = 1; l <= 3; l++) law.add(l, prob[l]!, 10 * l);
      law.convolveOthers();
      for (let x = 1; x <= 6; x++) {
        expect(law.inverseWithOthers(x)).toBeCloseTo(bruteInverse(prob, B - 1, x), 14);
        if (B >= 2) expect(law.inverseWithOthersButOne(x)).toBeCloseTo(bruteInverse(prob, B - 2, x), 14);
      }
      expect(law.meanReturn()).toBeCloseTo(10 * (0.2 + 1 + 0.9), 13); // E[G] with G = 10·n
    });
  }
});
