/**
 * Issue 12, hostile inputs: the output mechanism (io/atomic.ts: exclusive random temp file, kept
 * modes, special files), the output-stream guard (io/stdout.ts), the one sanitiser
 * (io/terminal-text.ts), bounded scenario reads, and instability (sim/instability.ts). Each test
 * fails without its fix. Special files are made in a temporary directory (mkfifo, mknod copies),
 * never the real /dev nodes: /dev/full is only opened, as a stdout, never named as --out.
 */
import { execFileSync, spawn } from "node:child_process";
import {
  closeSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
} from "node:fs";
import { EventEmitter } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AtomicFile } from "../../src/io/atomic.js";
import { guardStdout, SIGPIPE_EXIT } from "../../src/io/stdout.js";
import { clip, printable } from "../../src/io/terminal-text.js";
import { InstabilityWatch, PERSIST } from "../../src/sim/instability.js";
import { makeProblem } from "../../src/core/problem.js";
import { klsim, klsimNodeArgs, linesOf, ROOT } from "../cli/klsim.js";

const work = mkdtempSync(join(tmpdir(), "klsim-hostile-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function fresh(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const PREVIOUS = "a previous file\n";

describe("class 1, 13: the temporary output file", () => {
  it("a link planted at the old guessable name (.out.csv.<pid>.tmp) is neither followed nor replaced", () => {
    const dir = fresh("planted");
    const victim = join(dir, "victim.txt");
    writeFileSync(victim, "precious\n");
    const out = join(dir, "out.csv");
    const planted = join(dir, `.out.csv.${process.pid}.tmp`);
    symlinkSync(victim, planted);
    const file = new AtomicFile(out);
    file.write("new\n");
    file.commit();
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
    expect(lstatSync(out).isFile()).toBe(true); // a regular file, not a link to the victim
    expect(readFileSync(out, "utf8")).toBe("new\n");
    expect(lstatSync(planted).isSymbolicLink()).toBe(true);
  });

  it("two outputs in one directory get different, unpredictable short names (no pid, no target name)", () => {
    const dir = fresh("names");
    const a = new AtomicFile(join(dir, "a.csv"));
    const b = new AtomicFile(join(dir, "a.csv"));
    const temps = readdirSync(dir).sort();
    expect(temps).toHaveLength(2);
    for (const name of temps) {
      expect(name).toMatch(/^\.klsim-[0-9a-f]{24}\.tmp$/);
      expect(name).not.toContain(String(process.pid));
    }
    a.abort();
    b.abort();
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a legal 251-character --out name works (the temporary name fits NAME_MAX 255)", async () => {
    const dir = fresh("long-name");
    const name = `${"a".repeat(247)}.csv`;
    const result = await klsim(["run", "basic", "--steps", "5", "--quiet", "--out", join(dir, name)]);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual([name]);
    expect(linesOf(readFileSync(join(dir, name), "utf8"))).toHaveLength(1 + 6); // header + steps 0…5
  });
});

describe("class 2: the replaced file's permissions", () => {
  it("a 0600 file comes back 0600", async () => {
    const dir = fresh("mode");
    const out = join(dir, "secret.csv");
    writeFileSync(out, PREVIOUS);
    chmodSync(out, 0o600);
    const result = await klsim(["run", "basic", "--steps", "3", "--quiet", "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, "utf8")).not.toBe(PREVIOUS);
  });
  // a 0444 file is refused: corpus.test.ts "--out naming a read-only (0444) file"
});

function mknod(path: string, major: number, minor: number): boolean {
  try {
    execFileSync("mknod", [path, "c", String(major), String(minor)], { stdio: "ignore" });
    openSync(path, "w"); // a nodev mount refuses to open it
    return true;
  } catch {
    return false;
  }
}

describe("class 3: special files named as --out are written into, never replaced", () => {
  it("a FIFO: the reader gets the records, the FIFO stays a FIFO", async () => {
    const dir = fresh("fifo");
    const fifo = join(dir, "records.csv");
    execFileSync("mkfifo", [fifo]);
    const reader = spawn("cat", [fifo]);
    let read = "";
    reader.stdout.setEncoding("utf8").on("data", (c: string) => (read += c));
    const closed = new Promise((resolve) => reader.on("close", resolve));
    const result = await klsim(["run", "basic", "--steps", "4", "--every", "1", "--quiet", "--out", fifo]);
    await closed;
    expect(result.code, result.stderr).toBe(0);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(linesOf(read)).toHaveLength(1 + 5);
    expect(readdirSync(dir)).toEqual(["records.csv"]);
  });

  const nodes = fresh("nodes");
  const devNull = join(nodes, "null");
  const devFull = join(nodes, "full");
  const haveNodes = mknod(devNull, 1, 3) && mknod(devFull, 1, 7);

  it.skipIf(!haveNodes)("a copy of /dev/null (no extension: NDJSON): exit 0, still a character device", async () => {
    const result = await klsim(["run", "basic", "--steps", "3", "--quiet", "--out", devNull]);
    expect(result.code, result.stderr).toBe(0);
    expect(lstatSync(devNull).isCharacterDevice()).toBe(true);
    expect(readdirSync(nodes).sort()).toEqual(["full", "null"]);
  });

  it.skipIf(!haveNodes)("a copy of /dev/full: 'disk full', exit 1, one line, still a character device", async () => {
    const result = await klsim(["run", "basic", "--steps", "3", "--quiet", "--out", devFull]);
    expect(result.code).toBe(1);
    expect(linesOf(result.stderr)).toEqual([`klsim: cannot write ${devFull}: disk full (ENOSPC)`]);
    expect(lstatSync(devFull).isCharacterDevice()).toBe(true);
    expect(readdirSync(nodes).sort()).toEqual(["full", "null"]);
  });
});

/** Runs klsim with stdout on `fd` (a pipe whose reader is gone, or /dev/full); returns code and stderr. */
function withStdout(args: readonly string[], stdout: number | "closed-pipe"): Promise<{ code: number | null; stderr: string }> {
  const node = [process.execPath, ...klsimNodeArgs(), ...args];
  // a pipe whose read end is closed before klsim starts: its first write gets EPIPE, deterministically
  const command =
    stdout === "closed-pipe"
      ? ["python3", "-c", "import os,subprocess,sys\nr,w=os.pipe()\nos.close(r)\nsys.exit(subprocess.call(sys.argv[1:],stdout=w))", ...node]
      : node;
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), {
      cwd: ROOT,
      env: { ...process.env, CI: "true", NO_COLOR: "1" },
      stdio: ["ignore", stdout === "closed-pipe" ? "ignore" : stdout, "pipe"],
    });
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

const COMMANDS: string[][] = [
  ["kl", "0.5,0.5", "0.3,0.7"],
  ["optimum", "basic", "--json"],
  ["run", "basic", "--steps", "20", "--json"],
  ["run", "basic", "--steps", "20", "--out", "-"],
  ["scenarios"],
  ["basic", "--steps", "5"], // the static report
  ["--help"],
];

describe("class 9: one output-stream guard for every command", () => {
  it.concurrent.each(COMMANDS)("%s … | (reader gone): exit 141, nothing on stderr", async (...args) => {
    const result = await withStdout(args, "closed-pipe");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(SIGPIPE_EXIT);
  });

  it.concurrent.each(COMMANDS.filter((c) => c[0] !== "--help"))("%s … > /dev/full: one line 'disk full', exit 1", async (...args) => {
    const fd = openSync("/dev/full", "w"); // opened, never replaced
    try {
      const result = await withStdout(args, fd);
      expect(linesOf(result.stderr)).toEqual(["klsim: cannot write to stdout: disk full (ENOSPC)"]);
      expect(result.code).toBe(1);
    } finally {
      closeSync(fd);
    }
  });

  it("the guard (unit): EPIPE exits 141; another error exits 1", () => {
    const codes: number[] = [];
    const stream = new EventEmitter() as unknown as NodeJS.WritableStream;
    guardStdout(stream, (code) => codes.push(code));
    stream.emit("error", Object.assign(new Error("broken pipe"), { code: "EPIPE" }));
    stream.emit("error", Object.assign(new Error("no space"), { code: "ENOSPC" }));
    expect(codes).toEqual([141, 1]);
  });
});

describe("class 10: terminal escapes from a scenario are shown inert", () => {
  const dir = fresh("escapes");
  const file = join(dir, "evil.json");
  // OSC 0 (window title), ESC[2J (clear screen), a bidi override
  writeFileSync(file, JSON.stringify({ name: "\u001b]0;pwned\u0007x", description: "\u001b[2J\u202eevil", reference: [0.5, 0.5], reward: [1, 0], steps: 5 }));
  it.concurrent.each([
    ["run", ["run", file]],
    ["optimum", ["optimum", file]],
    ["static report", ["tui", file]],
  ])("%s prints the name escaped and no ESC or BEL at all", async (_label, args) => {
    const result = await klsim(args);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(/[\u001b\u0007\u202e]/);
    expect(result.stdout).toContain("\\u001b]0;pwned\\u0007x");
  });

  it("printable (unit): escapes C0, DEL, C1 and bidi controls; idempotent; clip keeps 80 characters", () => {
    expect(printable("a\u001b[2Jb\nc\u009b\u202e\u007f")).toBe("a\\u001b[2Jb\\nc\\u009b\\u202e\\u007f");
    expect(printable(printable("x\u0007"))).toBe(printable("x\u0007"));
    expect(printable("π ≥ 0, plain")).toBe("π ≥ 0, plain");
    expect(clip("k".repeat(100))).toBe(`${"k".repeat(80)}…`);
  });
});

describe("class 6: scenario reads are bounded while reading", () => {
  it("/dev/zero (reported size 0, endless): exit 2, one line, after 64 MiB", async () => {
    const result = await klsim(["run", "/dev/zero"], { timeout: 60_000 });
    expect(result.code).toBe(2);
    expect(linesOf(result.stderr)).toEqual(["/dev/zero: holds more than 64 MiB; a scenario is a small .json file"]);
  });

  it("a scenario from a FIFO is read to its end", async () => {
    const dir = fresh("fifo-in");
    const fifo = join(dir, "scenario.json");
    execFileSync("mkfifo", [fifo]);
    const writer = spawn("sh", ["-c", `cat "${join(ROOT, "scenarios", "basic.json")}" > "${fifo}"`]);
    const result = await klsim(["optimum", fifo, "--json"]);
    writer.kill();
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).policy[0]).toBeCloseTo(Math.exp(2) / (Math.exp(2) + 3), 12); // π* ∝ π_ref·exp(r/β), β = 0.5
  });
});

/** Exact SGD on softmax logits for reverse KL, by hand: θ += lr·(π_i(r_i − E_π r) − β π_i(log(π_i/ref_i) − KL)). */
function handObjectives(ref: number[], reward: number[], beta: number, lr: number, steps: number): number[] {
  const theta = ref.map(Math.log);
  const out: number[] = [];
  for (let t = 0; t <= steps; t++) {
    const m = Math.max(...theta);
    const w = theta.map((x) => Math.exp(x - m));
    const z = w.reduce((a, b) => a + b, 0);
    const pi = w.map((x) => x / z);
    const er = pi.reduce((a, p, i) => a + p * reward[i]!, 0);
    const kl = pi.reduce((a, p, i) => a + (p > 0 ? p * Math.log(p / ref[i]!) : 0), 0);
    out.push(er - beta * kl);
    for (let i = 0; i < theta.length; i++) theta[i]! += lr * (pi[i]! * (reward[i]! - er) - beta * pi[i]! * (Math.log(pi[i]! / ref[i]!) - kl));
  }
  return out;
}

describe("class 8: instability no finite check sees", () => {
  it("the watch (unit): far below E_ref r − 10·range for PERSIST steps, then it names the first step", () => {
    const watch = new InstabilityWatch(makeProblem([0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0]));
    expect(watch.floor).toBeCloseTo(0.25 - 10, 12); // E_ref r = 0.25, range 1
    expect(watch.observe(1, -6)).toBeNull(); // below the start, not far below
    for (let t = 2; t < 2 + PERSIST; t++) expect(watch.observe(t, -287)).toBeNull();
    expect(watch.observe(2 + PERSIST, -287)).toMatch(/^unstable: since step 2 the objective has been as low as -287\.0/);
    watch.observe(30, 0.3); // recovered: the stretch ends
    expect(watch.watching).toBe(false);
  });

  it("klsim run basic --beta 1000: exit 1, one line naming step 2 (the hand-computed SGD drops there)", async () => {
    const hand = handObjectives([0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0], 1000, 1, 3);
    expect(hand[1]!).toBeGreaterThan(0.25 - 10); // step 1: about −6, above the floor
    expect(hand[2]!).toBeLessThan(-280); // step 2: thrown far below
    const result = await klsim(["run", "basic", "--beta", "1000", "--json"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const lines = linesOf(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/scenarios\/basic\.json: diverged at step \d+: unstable: since step 2 the objective has been as low as -287\.\d/);
  });

  it("a stable run at the scenario's β is not flagged", async () => {
    const result = await klsim(["run", "basic", "--json"]);
    expect(result.code, result.stderr).toBe(0);
  });
});
