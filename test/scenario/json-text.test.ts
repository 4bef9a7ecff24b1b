import { expect, it } from "vitest";
import { checkJsonText } from "../../src/scenario/json-text.js";
it("underflow forms", () => {
  for (const t of ['{"a":1e-400}', '{"a":-1e-400}', '{"a":0.5e-330}', '{"a":[1, 2e-999]}', `{"a":0.${"0".repeat(400)}1}`])
    expect(() => checkJsonText(t), t).toThrow();
  for (const t of ['{"a":0e-400}', '{"a":0.0}', '{"a":1e-300}', '{"a":-0}', '{"a":[0.25,1e5,3E+2]}']) expect(() => checkJsonText(t), t).not.toThrow();
});

it("finds every literal that becomes 0, near the edge of the smallest double and past it", () => {
  // the edge: 4.94e-324 is the smallest double, and below ~2.47e-324 a literal rounds to 0
  const zero = ["2e-324", "2.4e-324", "0.00001e-320", `0.${"0".repeat(250)}1e-80`, "1e-9999", `0.${"0".repeat(40)}1e-290`];
  const kept = ["3e-324", "5e-324", "1e-323", "2.5e-324", "0.001e-320", `0.${"0".repeat(250)}1e-60`, "1e-299", "1.05e-05", "7E-300"];
  for (const literal of zero) {
    expect(Number(literal), literal).toBe(0); // the premise, by JavaScript's own conversion
    expect(() => checkJsonText(`{"a":[1,${literal}]}`), literal).toThrow(/too small for a double/);
  }
  for (const literal of kept) {
    expect(Number(literal), literal).toBeGreaterThan(0);
    expect(() => checkJsonText(`{"a":[1,${literal}]}`), literal).not.toThrow();
  }
});
