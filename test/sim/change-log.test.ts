import { describe, expect, it } from "vitest";
import { appendChanges, MAX_CHANGES, type SettingChange } from "../../src/sim/change-log.js";

// WATCHED_SETTINGS order: beta, penalty, estimator.
const settings = (beta: string, penalty: string, estimator: string | null = null) => [beta, penalty, estimator];

describe("the change log", () => {
  it("appends one entry per setting that differs, and returns the same log when none does", () => {
    const none: readonly SettingChange[] = [];
    expect(appendChanges(none, settings("0.5", "reverse"), settings("0.5", "reverse"), 7)).toBe(none);
    expect(appendChanges(none, settings("0.5", "reverse"), settings("0.625", "forward"), 7)).toEqual([
      { step: 7, setting: "beta", from: "0.5", to: "0.625" },
      { step: 7, setting: "penalty", from: "reverse", to: "forward" },
    ]);
    expect(appendChanges(none, settings("1", "reverse", "k1"), settings("1", "reverse", "k3"), 3)).toEqual([
      { step: 3, setting: "estimator", from: "k1", to: "k3" },
    ]);
  });

  it(`keeps the newest ${MAX_CHANGES} entries`, () => {
    let log: readonly SettingChange[] = [];
    for (let k = 0; k < MAX_CHANGES + 10; k++) log = appendChanges(log, settings(String(k), "reverse"), settings(String(k + 1), "reverse"), k);
    expect(log).toHaveLength(MAX_CHANGES);
    expect(log[0]?.step).toBe(10);
  });
});
