/**
 * klsim's errors are recognised across copies of src/errors.ts: the binary's CommonJS bundle holds
 * one copy and the ES modules of the lazily loaded commands another, and the CLI's exit code (2 for
 * bad input, 1 otherwise) rests on `instanceof` seeing through that.
 */
import { describe, expect, it } from "vitest";
import { DivergenceError, InputError, OutputError } from "../../src/errors.js";

// a second instance of the module, as the bundle's copy is to the ES modules' (vitest keys modules by URL, query included;
// a specifier in a variable, which the type checker does not try to resolve)
const secondCopy = "../../src/errors.js?second-copy";
const copy = (await import(secondCopy)) as typeof import("../../src/errors.js");

describe("errors are told apart by kind, not by which copy of the module made them", () => {
  it("the copy really is another module (its classes are other objects)", () => {
    expect(copy.InputError).not.toBe(InputError);
  });

  it("an error of either copy is an instance of the other's class of the same kind, and of no other kind", () => {
    const made = [
      [new copy.InputError("bad", "field", "file.json"), InputError],
      [new copy.OutputError("disk full"), OutputError],
      [new copy.DivergenceError(3, "NaN"), DivergenceError],
      [new InputError("bad"), copy.InputError],
    ] as const;
    const classes = [InputError, OutputError, DivergenceError];
    for (const [error, own] of made) {
      expect(error instanceof own, `${error.name} instanceof its kind`).toBe(true);
      expect(error instanceof Error).toBe(true);
      for (const other of classes) if (other.name !== own.name) expect(error instanceof other, `${error.name} instanceof ${other.name}`).toBe(false);
    }
  });

  it("nothing else passes for one: a plain Error, an object with the same name, null, a string", () => {
    for (const value of [new Error("x"), Object.assign(new Error("x"), { name: "InputError" }), { name: "InputError" }, null, "InputError"]) {
      expect(value instanceof InputError).toBe(false);
    }
  });

  it("within() keeps the kind", () => {
    expect(new copy.InputError("bad", "lr").within("s.json", "optimizer") instanceof InputError).toBe(true);
  });
});
