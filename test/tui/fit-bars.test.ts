/**
 * The fit panel's histogram, read back as a person would read it: where the student's full
 * column stands, which row the teacher's dot is on, the numbers below, and the exact size.
 */
import { describe, expect, it } from "vitest";
import type { Span } from "../../src/tui/chart/braille.js";
import { type FitView, fitPanel } from "../../src/tui/fit-bars.js";

const text = (line: Span[]) => line.map((s) => s.text).join("");
const width = (line: Span[]) => Array.from(text(line)).length;

function view(student: number[], teacher: number[]): FitView {
  return {
    student,
    teacher,
    family: "gaussian",
    parameters: [
      { name: "mu", value: 2 },
      { name: "sigma", value: 0.5 },
    ],
    forwardKL: 1.5,
    reverseKL: 0.25,
  };
}

describe("fitPanel", () => {
  it("is exactly rows × width, with the student's mass as a full column over its token", () => {
    // V = 5 in 20 columns: 4 columns a token; all of the student on token 2, the teacher flat
    const lines = fitPanel(view([0, 0, 1, 0, 0], [0.2, 0.2, 0.2, 0.2, 0.2]), 20, 14);
    expect(lines).toHaveLength(14);
    for (const line of lines) expect(width(line)).toBe(20);
    const bars = lines.slice(1, 1 + 8); // legend, 8 bar rows (14 − legend − axis − 4 number lines)
    // 0.2 of the scale 1 on 8 rows is row ⌊1.6⌋ = 1 from the bottom: the second-lowest bar row,
    // where the teacher's dot is drawn over the student's bar too
    const dotted = bars.map((l) => text(l).slice(0, 4) === "••••");
    expect(dotted).toEqual([false, false, false, false, false, false, true, false]);
    bars.forEach((line, r) => expect(text(line).slice(8, 12)).toBe(r === 6 ? "••••" : "████"));
  });

  it("shows the parameters and both KLs under the axis", () => {
    const lines = fitPanel(view([0, 0, 1, 0, 0], [0.2, 0.2, 0.2, 0.2, 0.2]), 30, 14).map(text);
    expect(lines.some((l) => l.startsWith("gaussian: μ 2 σ 0.5"))).toBe(true);
    expect(lines.some((l) => l.startsWith("KL(teacher‖student) 1.5"))).toBe(true);
    expect(lines.some((l) => l.startsWith("KL(student‖teacher) 0.25"))).toBe(true);
    expect(lines.some((l) => /^0 +4 *$/.test(l))).toBe(true);
  });

  it("bins tokens when there are more than columns, summing their mass", () => {
    // V = 40 in 10 columns: 4 tokens a column; the student's mass on tokens 0–3 fills column 0
    const student = Array.from({ length: 40 }, (_, i) => (i < 4 ? 0.25 : 0));
    const teacher = Array.from({ length: 40 }, () => 1 / 40);
    const lines = fitPanel(view(student, teacher), 10, 12);
    for (const line of lines) expect(width(line)).toBe(10);
    const bars = lines.slice(
      1,
      lines.findIndex((l) => text(l).startsWith("0")),
    );
    // the teacher's 4/40 = 0.1 a column sits on the lowest row
    bars.forEach((line, r) => expect(text(line)[0]).toBe(r === bars.length - 1 ? "•" : "█"));
    expect(text(bars[bars.length - 1]!)).toBe("••••••••••");
  });
});
