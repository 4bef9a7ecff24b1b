/**
 * A long `klsim run` in a terminal: the progress line ("step N/M", rewritten in place on stderr) is
 * cleared before the summary, so the summary starts at column 0 instead of being glued onto it.
 * Run on a pseudo-terminal (python3's pty) holding both stdout and stderr, as a shell would.
 */
import { execFileSync, spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { klsimNodeArgs, ROOT } from "./klsim.js";

function python(): string | null {
  try {
    execFileSync("python3", ["-c", "import pty"], { stdio: "ignore" });
    return "python3";
  } catch {
    return null;
  }
}

const PY = python();

/** Runs argv on a pty; prints {code, output} as JSON. */
const ON_PTY = `
import json, os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "output": out.decode("utf-8", "replace")}))
`;

function onPty(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", TERM: "xterm" };
    delete env.CI;
    const child = spawn(PY!, ["-c", ON_PTY, process.execPath, ...klsimNodeArgs(), ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
    child.on("error", reject);
    child.on("close", () => resolve(JSON.parse(text)));
  });
}

describe.skipIf(!PY || process.platform === "win32")("the progress line in a terminal", () => {
  it("is shown while the run goes and cleared before the summary", async () => {
    // V = 4: a slice is ~55 000 steps, so 3 000 000 steps show the progress line ~50 times
    const { code, output } = await onPty(["run", "basic", "--steps", "3000000"]);
    expect(code).toBe(0);
    expect(output).toMatch(/\rstep \d+\/3000000\x1b\[K/);
    const summary = output.indexOf("basic: 3000000 steps");
    expect(summary).toBeGreaterThan(0);
    // right before the summary: the clearing sequence, so the summary starts at column 0
    expect(output.slice(0, summary).endsWith("\r\x1b[K")).toBe(true);
    expect(output).not.toMatch(/\/3000000basic/);
  });

  it("with --out -, the summary on stderr starts at column 0 too", async () => {
    const { code, output } = await onPty(["run", "basic", "--steps", "200000", "--every", "100000", "--out", "-"]);
    expect(code).toBe(0);
    const summary = output.indexOf("basic: 200000 steps");
    expect(summary).toBeGreaterThan(0);
    expect(/(\r\x1b\[K|\n)$/.test(output.slice(0, summary))).toBe(true);
  });
});
