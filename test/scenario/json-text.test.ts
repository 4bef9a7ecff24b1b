import { expect, it } from "vitest";
import { checkJsonText } from "../../src/scenario/json-text.js";
it("underflow forms", () => {
  for (const t of ['{"a":1e-400}', '{"a":-1e-400}', '{"a":0.5e-330}', '{"a":[1, 2e-999]}', `{"a":0.${"0".repeat(400)}1}`])
    expect(() => checkJsonText(t), t).toThrow();
  for (const t of ['{"a":0e-400}', '{"a":0.0}', '{"a":1e-300}', '{"a":-0}', '{"a":[0.25,1e5,3E+2]}']) expect(() => checkJsonText(t), t).not.toThrow();
});
