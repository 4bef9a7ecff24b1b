/** A complete sequence as text: its tokens' names joined by spaces (eos included when it ended with eos). */
import type { PrefixTree } from "./tree.js";

export function sequenceLabel(tree: PrefixTree, tokens: readonly string[], y: number, scratch = new Int32Array(tree.horizon)): string {
  const n = tree.tokensOf(y, scratch);
  const words: string[] = [];
  for (let t = 0; t < n; t++) words.push(tokens[scratch[t]!] ?? String(scratch[t]));
  return words.join(" ");
}
