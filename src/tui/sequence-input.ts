/** What the sequence panel shows for a scenario at a frame (the live panel and the static report share it; no ink). */
import { outcomeNamer, type Scenario } from "../scenario/loader.js";
import type { SimSnapshot } from "../sim/simulation.js";
import type { SequencePanelInput } from "./sequence-rows.js";

const namers = new WeakMap<Scenario, (y: number) => string>();

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
