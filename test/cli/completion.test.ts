/**
 * `klsim completion bash|zsh`: the script is loaded into a real bash, which is then asked what it
 * completes for partial command lines, as pressing Tab would (COMP_WORDS/COMP_CWORD, then _klsim).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { badInputProblem, klsim } from "./klsim.js";

function hasBash(): boolean {
  try {
    execFileSync("bash", ["-c", "true"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const work = mkdtempSync(join(tmpdir(), "klsim-completion-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const scriptFile = join(work, "klsim.bash");

/** What bash completes for `words` (the last one is being typed), sorted. */
function complete(...words: string[]): string[] {
  const array = ["klsim", ...words].map((w) => `'${w}'`).join(" ");
  const program = `source '${scriptFile}'; COMP_WORDS=(${array}); COMP_CWORD=${words.length}; _klsim; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const output = execFileSync("bash", ["-c", program], { cwd: work, encoding: "utf8" });
  return output
    .split("\n")
    .filter((line) => line !== "")
    .sort();
}

describe.skipIf(!hasBash())("klsim completion bash", () => {
  beforeAll(async () => {
    const result = await klsim(["completion", "bash"]);
    expect(result.code, result.stderr).toBe(0);
    writeFileSync(scriptFile, result.stdout);
    writeFileSync(join(work, "mine.json"), "{}");
  });

  it("commands, then scenario names, for the first word", () => {
    expect(complete("ru")).toEqual(["run"]);
    expect(complete("s")).toEqual(["sampled-grpo", "sampled-ppo", "scenarios", "schedule", "sequence-basic", "sweep"]);
  });

  it("each command's own flags", () => {
    expect(complete("run", "basic", "--st")).toEqual(["--steps"]);
    expect(complete("sweep", "basic", "--j")).toEqual(["--jobs", "--json"]);
    expect(complete("kl", "--")).toEqual(["--base", "--help", "--json", "--normalize", "--version"]);
    expect(complete("basic", "--s")).toEqual(["--set", "--steps"]); // klsim [scenario] is the tui
  });

  it("a flag's choices, --set's fields and aliases, files for --out", () => {
    expect(complete("run", "basic", "--penalty", "f")).toEqual(["forward"]);
    expect(complete("bench", "--engine", "")).toEqual(["all", "both", "fast", "plain", "wasm"]);
    expect(complete("run", "basic", "--set", "sampling.e")).toEqual(["sampling.epochs=", "sampling.estimator="]);
    expect(complete("optimum", "basic", "--set", "kl_")).toEqual(["kl_coef=", "kl_estimator=", "kl_horizon=", "kl_penalty=", "kl_target="]);
    expect(complete("run", "basic", "--out", "mi")).toEqual(["mine.json"]);
    expect(complete("run", "basic", "--steps", "")).toEqual([]); // a number: nothing to offer
  });

  it("scenario names and .json files where a scenario goes", () => {
    expect(complete("run", "mo")).toEqual(["mode-seeking"]);
    expect(complete("optimum", "mi")).toEqual(["mine.json"]);
    expect(complete("completion", "")).toEqual(["bash", "zsh"]);
  });
});

describe("klsim completion zsh", () => {
  it("is the bash script behind zsh's bashcompinit", async () => {
    const [zsh, bash] = await Promise.all([klsim(["completion", "zsh"]), klsim(["completion", "bash"])]);
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toMatch(/^#compdef klsim\n/);
    expect(zsh.stdout).toMatch(/\nautoload -U \+X bashcompinit && bashcompinit\n/);
    expect(zsh.stdout.endsWith(bash.stdout)).toBe(true);
  });

  it("--help and --version like every command", async () => {
    const [help, version] = await Promise.all([klsim(["completion", "--help"]), klsim(["completion", "bash", "--version"])]);
    expect(help.code).toBe(0);
    expect(help.stdout.startsWith("klsim completion <shell>")).toBe(true);
    expect(version.stdout).toMatch(/^klsim \d+\.\d+\.\d+\n$/);
  });

  it("another shell: exit 2, one line", async () => {
    const result = await klsim(["completion", "fish"]);
    expect(badInputProblem(result), result.stderr).toBeNull();
    expect(result.stderr).toBe("klsim completion: expected one of bash, zsh, got 'fish'\n");
  });
});
