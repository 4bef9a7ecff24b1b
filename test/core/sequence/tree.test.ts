import { describe, expect, it } from "vitest";
import { MAX_PREFIXES, PrefixTree, treeShapeProblem, treeSizeOf } from "../../../src/core/sequence/tree.js";
import { allSequences, nodeOf } from "./enumeration.js";

describe("prefix tree layout", () => {
  it("counts, hand-derived: V = 3, T = 4 has 1 + 3 + 9 + 27 = 40 prefixes and 3⁴ = 81 sequences", () => {
    const tree = new PrefixTree({ V: 3, horizon: 4, eos: -1 });
    expect(tree.nodes).toBe(40);
    expect(tree.sequences).toBe(81);
    expect(tree.edges).toBe(120);
  });

  it("counts with eos: V = 3, T = 3 has 1 + 2 + 4 = 7 prefixes, 7 eos endings + 2³ full ones = 15 sequences", () => {
    const tree = new PrefixTree({ V: 3, horizon: 3, eos: 2 });
    expect(tree.nodes).toBe(7);
    expect(tree.sequences).toBe(15);
  });

  it("V = 4, T = 7: (4⁷ − 1)/3 = 5461 prefixes, 4⁷ = 16384 sequences, 21845 nodes in all", () => {
    const tree = new PrefixTree({ V: 4, horizon: 7, eos: -1 });
    expect(tree.nodes).toBe(5461);
    expect(tree.sequences).toBe(16384);
    expect(tree.nodes + tree.sequences).toBe(21845);
  });

  for (const shape of [
    { V: 3, horizon: 4, eos: -1 },
    { V: 3, horizon: 3, eos: 2 },
    { V: 4, horizon: 3, eos: 0 },
    { V: 2, horizon: 5, eos: 1 },
    { V: 5, horizon: 1, eos: -1 },
  ]) {
    it(`every sequence of V = ${shape.V}, T = ${shape.horizon}, eos ${shape.eos} appears exactly once, with its tokens and length`, () => {
      const tree = new PrefixTree(shape);
      const listed = allSequences(shape.V, shape.horizon, shape.eos);
      expect(tree.sequences).toBe(listed.length);
      const seen = new Set<string>();
      const tokens = new Int32Array(shape.horizon);
      for (let y = 0; y < tree.sequences; y++) {
        const count = tree.tokensOf(y, tokens);
        const seq = Array.from(tokens.subarray(0, count));
        expect(count).toBe(tree.stepsOf(y));
        const ended = seq[seq.length - 1] === shape.eos;
        expect(tree.seqLength[y]).toBe(ended ? count - 1 : count);
        // The terminal edge is the last token appended to the last prefix.
        expect(tree.seqEdge[y]).toBe(nodeOf(tree, seq.slice(0, -1)) * shape.V + seq[seq.length - 1]!);
        expect(tree.seqNode[y]).toBe(nodeOf(tree, seq.slice(0, -1)));
        seen.add(seq.join(" "));
      }
      expect(seen).toEqual(new Set(listed.map((s) => s.join(" "))));
    });

    it(`parents come first, and parent/depth/token agree (V = ${shape.V}, T = ${shape.horizon}, eos ${shape.eos})`, () => {
      const tree = new PrefixTree(shape);
      for (let n = 1; n < tree.nodes; n++) {
        const p = tree.parent[n]!;
        expect(p).toBeLessThan(n);
        expect(tree.depth[n]).toBe(tree.depth[p]! + 1);
        expect(tree.next[p * shape.V + tree.token[n]!]).toBe(n);
        expect(tree.token[n]).not.toBe(shape.eos);
        expect(tree.depth[n]).toBeLessThan(shape.horizon);
      }
      // Each edge is a child or a sequence, each child reached once.
      const children = Array.from(tree.next).filter((c) => c >= 0);
      expect(new Set(children).size).toBe(tree.nodes - 1);
    });
  }

  it("refuses shapes it cannot hold, saying why", () => {
    expect(treeShapeProblem({ V: 1, horizon: 3, eos: -1 })).toMatch(/at least 2/);
    expect(treeShapeProblem({ V: 3, horizon: 0, eos: -1 })).toMatch(/horizon 0/);
    expect(treeShapeProblem({ V: 3, horizon: 2, eos: 3 })).toMatch(/eos index 3/);
    expect(treeShapeProblem({ V: 2, horizon: 18, eos: -1 })).toMatch(`more than ${MAX_PREFIXES} prefixes`);
    expect(treeShapeProblem({ V: 2, horizon: 17, eos: -1 })).toBeUndefined(); // 2¹⁷ − 1 = 131071
    expect(treeShapeProblem({ V: 1000, horizon: 3, eos: -1 })).toMatch(/more than 131072 prefixes/); // 1 + 1000 + 10⁶
    expect(treeShapeProblem({ V: 5000, horizon: 2, eos: -1 })).toMatch(/logits, more than/); // 5001 × 5000
    expect(() => new PrefixTree({ V: 65536, horizon: 3, eos: -1 })).toThrow(RangeError);
    expect(treeSizeOf({ V: 2, horizon: 17, eos: -1 }).prefixes).toBe(131071);
  });
});
