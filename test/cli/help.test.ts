/**
 * `--help` on every command (exit 0, usage on stdout, nothing run), and unknown flags on every
 * command (exit 2, one line naming the flag, a did-you-mean when one is close).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { badInputProblem, klsim, linesOf, ROOT } from "./klsim.js";

const COMMANDS = ["tui", "run", "optimum", "kl", "sweep", "scenarios", "bench"] as const;

/** A typo of one of each command's flags, and the flag it should suggest. */
const TYPOS: Record<(typeof COMMANDS)[number], [string, string]> = {
  tui: ["--stesp", "--steps"],
  run: ["--stesp", "--steps"],
  optimum: ["--bta", "--beta"],
  kl: ["--bsae", "--base"],
  sweep: ["--btea", "--beta"],
  scenarios: ["--jsno", "--json"],
  bench: ["--vocb", "--vocab"],
};

/** Arguments that make each command otherwise valid, so only the flag is wrong. */
const ARGS: Record<(typeof COMMANDS)[number], string[]> = {
  tui: ["basic"],
  run: ["basic"],
  optimum: ["basic"],
  kl: ["0.5,0.5", "0.25,0.75"],
  sweep: ["basic", "--beta", "0.1"],
  scenarios: [],
  bench: [],
};

const work = mkdtempSync(join(tmpdir(), "klsim-help-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("--help", () => {
  it.concurrent.each(COMMANDS.flatMap((c) => ["--help", "-h"].map((flag) => [c, flag] as const)))(
    "klsim %s %s: exit 0, usage and options on stdout",
    async (command, flag) => {
      const result = await klsim([command, flag]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe("");
      expect(result.stdout.startsWith(`klsim ${command}`)).toBe(true);
      expect(result.stdout).toMatch(/\nOptions:\n/);
      expect(result.stdout).toMatch(/--help\s+show this help/);
    },
  );

  it.concurrent.each(["--help", "-h", "help"])("klsim %s lists every command", async (flag) => {
    const result = await klsim([flag]);
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`\\n  ${command}\\s`));
  });

  it("--help wins over everything else and runs nothing", async () => {
    const out = join(work, "never.csv");
    const result = await klsim(["run", "basic", "--steps", "0", "--stesp", "--out", out, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout.startsWith("klsim run <scenario>")).toBe(true);
    expect(existsSync(out)).toBe(false);
  });

  it("--version", async () => {
    const result = await klsim(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^klsim \d+\.\d+\.\d+\n$/);
  });

  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  it.concurrent.each(COMMANDS.flatMap((c) => ["--version", "-V"].map((flag) => [c, flag] as const)))(
    "klsim %s %s: the package's version, nothing run",
    async (command, flag) => {
      const result = await klsim([command, ...ARGS[command], flag]);
      expect(result.code, result.stderr).toBe(0);
      expect([result.stdout, result.stderr]).toEqual([`klsim ${pkg.version}\n`, ""]);
    },
  );

  it.concurrent.each(COMMANDS)("klsim help %s is klsim %s --help", async (command) => {
    const [viaHelp, viaFlag] = await Promise.all([klsim(["help", command]), klsim([command, "--help"])]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
  });
});

describe("unknown flags", () => {
  it.concurrent.each(COMMANDS)("klsim %s with a typo'd flag: exit 2, one line, did you mean", async (command) => {
    const [typo, meant] = TYPOS[command];
    const result = await klsim([command, ...ARGS[command], typo, "1"]);
    expect(badInputProblem(result), result.stderr).toBeNull();
    expect(linesOf(result.stderr)[0]).toBe(`${typo}: unknown option for 'klsim ${command}' (did you mean ${meant}?); see klsim ${command} --help`);
  });

  it.concurrent.each(COMMANDS)("klsim %s with a flag like no other: exit 2, one line, pointing at --help", async (command) => {
    const result = await klsim([command, ...ARGS[command], "--frobnicate"]);
    expect(badInputProblem(result), result.stderr).toBeNull();
    expect(linesOf(result.stderr)[0]).toBe(`--frobnicate: unknown option for 'klsim ${command}'; see klsim ${command} --help`);
  });

  it("the default command (klsim [scenario]) too", async () => {
    const result = await klsim(["basic", "--stesp", "10"]);
    expect(badInputProblem(result), result.stderr).toBeNull();
    expect(result.stderr).toBe("--stesp: unknown option for 'klsim tui' (did you mean --steps?); see klsim tui --help\n");
  });
});
