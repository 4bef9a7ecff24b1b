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

it("names the element that underflows, in nested arrays and after arrays of plain numbers", () => {
  const tiny = `0.${"0".repeat(330)}7`; // no exponent: only its zeros make it 0
  expect(Number(tiny)).toBe(0);
  expect(() => checkJsonText(`{"a":[[1,2],[3,${tiny}]]}`)).toThrow(expect.objectContaining({ field: "a[1][1]" }));
  expect(() => checkJsonText(`{"x":[0.5,0.25],"a":[1,2,3,4e-5,${tiny}]}`)).toThrow(expect.objectContaining({ field: "a[4]" }));
  // keys after an array of numbers are still compared, and paths still count its elements
  expect(() => checkJsonText('{"a":[1,2,3],"b":[4,5,{"c":1,"c":2}]}')).toThrow(expect.objectContaining({ field: "b[2].c" }));
  expect(() => checkJsonText('{"a":[1,2,3],"a":[4]}')).toThrow(/duplicate key/);
});

it("throws exactly when a literal with a nonzero digit converts to 0, over random arrays of literals", () => {
  // the oracle is JavaScript's own conversion, literal by literal
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const forms = [
    () => String(rand()),
    () => `${Math.floor(rand() * 9) + 1}e-${Math.floor(rand() * 40) + 300}`, // 1e-300 … 9e-339
    () => `0.${"0".repeat(Math.floor(rand() * 40) + 200)}${Math.floor(rand() * 9) + 1}e-${Math.floor(rand() * 120)}`,
    () => `0.${"0".repeat(Math.floor(rand() * 400))}1`,
    () => `-${Math.floor(rand() * 1000)}.5E+${Math.floor(rand() * 5)}`,
  ];
  let thrown = 0;
  for (let trial = 0; trial < 400; trial++) {
    const literals = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => forms[Math.floor(rand() * forms.length)]!());
    const underflows = literals.findIndex((l) => /[1-9]/.test(l.split(/[eE]/)[0]!) && Number(l) === 0);
    const text = `{"w":[${literals.join(",")}]}`;
    if (underflows < 0) expect(() => checkJsonText(text), text).not.toThrow();
    else {
      expect(() => checkJsonText(text), text).toThrow(expect.objectContaining({ field: `w[${underflows}]` }));
      thrown++;
    }
  }
  expect(thrown).toBeGreaterThan(50); // both sides of the edge were drawn
  expect(thrown).toBeLessThan(350);
});
