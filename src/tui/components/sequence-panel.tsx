/**
 * The sequence panel (sequence scenarios, in place of the token panel): the top sequences under π
 * with π_ref and π*, and the per-position KL profile. Its lines come from sequencePanel()
 * (sequence-rows.ts); this file gathers its input from a scenario and a snapshot, and draws lines.
 */
import { Box } from "ink";
import { outcomeNamer, type Scenario } from "../../scenario/loader.js";
import type { SimSnapshot } from "../../sim/simulation.js";
import type { Span } from "../chart/braille.js";
import type { SequencePanelInput } from "../sequence-rows.js";
import { SpanLine } from "./span-line.js";

const namers = new WeakMap<Scenario, (y: number) => string>();

/** What the panel shows for this scenario at this frame. */
export function sequencePanelInput(scenario: Scenario, sim: SimSnapshot): SequencePanelInput {
  let label = namers.get(scenario);
  if (!label) {
    label = outcomeNamer(scenario);
    namers.set(scenario, label);
  }
  return {
    policy: sim.policy,
    reference: scenario.problem.ref,
    optimum: sim.optimum.policy,
    label,
    profile: sim.sequence?.profile ?? null,
    meanLength: sim.sequence?.meanLength ?? NaN,
    tokenMeanKL: sim.sequence?.tokenMeanKL ?? NaN,
  };
}

export function SequencePanel({ lines, width, height }: { lines: readonly Span[][]; width: number; height: number }) {
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0} overflow="hidden">
      {lines.map((line, i) => (
        <SpanLine key={i} spans={line} />
      ))}
    </Box>
  );
}
