/** Dotted-path assignments to a scenario's JSON (shared by sweep --vary and --set). */
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { parseValue, setPath } from "../../src/scenario/dotted.js";

describe("setPath", () => {
  it("replaces a nested value and leaves the input as it was", () => {
    const json = { beta: 0.1, controller: { kind: "adaptive", target: 0.3, horizon: 100 } };
    const out = setPath(json, "controller.target", 1);
    expect(out).toEqual({ beta: 0.1, controller: { kind: "adaptive", target: 1, horizon: 100 } });
    expect(json.controller.target).toBe(0.3);
    expect(out.controller).not.toBe(json.controller);
  });

  it("creates missing objects on the way and sets top-level keys", () => {
    expect(setPath({ mode: "exact" }, "sampling.estimator", "k2")).toEqual({ mode: "exact", sampling: { estimator: "k2" } });
    expect(setPath({ mode: "exact" }, "mode", "sampled")).toEqual({ mode: "sampled" });
  });

  it("refuses a path through a non-object, empty keys and prototype keys, naming the flag", () => {
    const fail = (path: string) => {
      try {
        setPath({ mode: "exact", reward: [1, 2] }, path, 1, "--vary");
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        return (error as InputError).message;
      }
      throw new Error(`no error for ${path}`);
    };
    expect(fail("mode.kind")).toBe("--vary: mode is not an object, so it has no field 'kind'");
    expect(fail("reward.0")).toBe("--vary: reward is not an object, so it has no field '0'");
    expect(fail("a..b")).toMatch(/^--vary: 'a\.\.b' is not a field path/);
    expect(fail("__proto__.polluted")).toMatch(/is not a field path/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("parseValue", () => {
  it("reads JSON where it parses, plain text otherwise", () => {
    expect(parseValue("0.3")).toBe(0.3);
    expect(parseValue("true")).toBe(true);
    expect(parseValue("null")).toBeNull();
    expect(parseValue('"k3"')).toBe("k3");
    expect(parseValue("k3")).toBe("k3");
    expect(parseValue("[1,2]")).toEqual([1, 2]);
    expect(parseValue("1e400")).toBe(Infinity); // JSON.parse's reading: the schema then refuses it as not finite
  });
});
