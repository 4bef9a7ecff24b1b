/**
 * The divergence registry: every penalty klsim knows, as data. The scenario schema's choices,
 * `--penalty`, the TUI's `d` cycle, chart titles and the record's `penalty_value` derive from
 * these entries. Adding a divergence is adding a kind here (see js.ts and alpha.ts).
 */
import { type Divergence, type DivergenceKind, fixedKind } from "../divergence.js";
import { alphaDivergence } from "./alpha.js";
import { forwardKL } from "./forward.js";
import { jensenShannon } from "./js.js";
import { reverseKL } from "./reverse.js";

/** α-divergences: "alpha:A" for a decimal A strictly between 0 and 1 ("alpha:0.5", "alpha:.25"). */
const ALPHA_SYNTAX = /^alpha:(0?\.[0-9]*[1-9][0-9]*)$/;

const alphaKind: DivergenceKind = {
  kind: "alpha",
  syntax: "alpha:A (0 < A < 1)",
  describe: "α-divergence: A → 0 is the reverse KL, A → 1 the forward KL (Amari; Wang et al. 2023)",
  example: alphaDivergence(0.5),
  jsonSchema: { pattern: ALPHA_SYNTAX.source },
  parse(name) {
    if (!name.startsWith("alpha:")) return null;
    const match = ALPHA_SYNTAX.exec(name);
    if (!match) return { problem: `'${name}': write A as a decimal strictly between 0 and 1, e.g. alpha:0.5` };
    return alphaDivergence(Number(match[1]));
  },
};

/** In the order of the TUI's `d` cycle. */
export const DIVERGENCE_KINDS: readonly DivergenceKind[] = [
  fixedKind(reverseKL, "KL(π‖π_ref): the standard RLHF penalty; mode-seeking, π* ∝ π_ref·exp(r/β)"),
  fixedKind(forwardKL, "KL(π_ref‖π): mass-covering, π*_i = β·π_ref,i/(λ − r_i)"),
  fixedKind(jensenShannon, "Jensen–Shannon: symmetric and bounded by log 2"),
  alphaKind,
];

/** What each kind is written as, for help text and errors: "reverse, forward, js, alpha:A (0 < A < 1)". */
export const PENALTY_SYNTAX = DIVERGENCE_KINDS.map((k) => k.syntax).join(", ");

/** The default penalty of a scenario. */
export const DEFAULT_PENALTY: Divergence = reverseKL;

/** The entry for a penalty name, or why the name is not one. */
export function parsePenalty(name: string): Divergence | { problem: string } {
  for (const kind of DIVERGENCE_KINDS) {
    const found = kind.parse(name);
    if (found) return found;
  }
  return { problem: `unknown penalty '${name}'; expected one of ${PENALTY_SYNTAX}` };
}

/** The entry for a name already validated (scenario specs, flags); throws on anything else. */
export function divergenceNamed(name: string): Divergence {
  const found = parsePenalty(name);
  if ("problem" in found) throw new RangeError(found.problem);
  return found;
}

/** The kind of a penalty name ("alpha:0.3" → the alpha kind). */
function kindOf(penalty: Divergence): number {
  return DIVERGENCE_KINDS.findIndex((k) => k.parse(penalty.name) !== null);
}

/** The TUI's `d`: the example entry of the kind after this one's. */
export function nextPenalty(penalty: Divergence): Divergence {
  return DIVERGENCE_KINDS[(kindOf(penalty) + 1) % DIVERGENCE_KINDS.length]!.example;
}

/** A JSON Schema accepting exactly the penalty names (scenario.schema.json). */
export function penaltyJsonSchema(): { anyOf: Array<{ const: string } | { type: "string"; pattern: string }> } {
  return { anyOf: DIVERGENCE_KINDS.map((k) => ("const" in k.jsonSchema ? k.jsonSchema : { type: "string" as const, ...k.jsonSchema })) };
}
