/**
 * `klsim bench --frames SCENARIO`: the live TUI run in a pseudo-terminal (util-linux script(1)),
 * as a person runs it, with the frames counted in the stream the terminal receives: each frame ink
 * writes ends with the synchronized-output marker ESC[?2026l. First at the default speed, then
 * at the fastest (`]` pressed to the top); steps/s from the status line's step counter over the
 * same window. CI is taken out of the child's environment: under CI ink writes only the last frame.
 */
import { spawn } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import { SPEEDS } from "../tui/state.js";

const FRAME_END = "\u001b[?2026l";
// The status line opens every frame: "<name>  step <n>  running …".
const STEP_AFTER_NAME = "  step ";
const STEP_DIGITS = 16;

export interface PtyPhase {
  speed: "default" | "fastest";
  seconds: number;
  frames: number;
  frames_per_s: number;
  steps_per_s: number;
  bytes_per_frame: number;
}

export interface PtyFrameResult {
  scenario: string;
  columns: number;
  rows: number;
  phases: PtyPhase[];
}

interface Mark {
  time: number;
  bytes: number;
}

/** Shell single quotes around any text. */
function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Runs the TUI on `scenario` (a name or path, already validated) and measures both phases; a message when no pseudo-terminal can be had. */
export function ptyFrameBench(
  /** Node's arguments that start klsim (bench.ts thisCli). */
  cli: readonly string[],
  scenario: string,
  name: string,
  columns: number,
  rows: number,
  seconds: number,
  settleSeconds = 2,
): Promise<PtyFrameResult | string> {
  const command = `stty cols ${columns} rows ${rows} && exec ${[process.execPath, ...cli, "tui", scenario].map(quote).join(" ")}`;
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: process.env.TERM || "xterm-256color" };
  delete env.CI;
  return new Promise((resolve) => {
    const child = spawn("script", ["-q", "-f", "-e", "-c", command, "/dev/null"], { env, stdio: ["pipe", "pipe", "ignore"] });
    const decoder = new StringDecoder("utf8");
    const frames: Mark[] = [];
    const steps: { time: number; step: number }[] = [];
    const statusPrefix = name + STEP_AFTER_NAME;
    let tail = "";
    let bytes = 0;
    let failed: string | null = null;
    child.on("error", (error) => {
      failed = `needs util-linux script(1) for a pseudo-terminal (${error.message})`;
    });
    child.stdout.on("data", (chunk: Buffer) => {
      const time = performance.now();
      bytes += chunk.length;
      const text = tail + decoder.write(chunk);
      // `counted`: the end of the last marker or status line counted, so none is counted twice
      let counted = 0;
      for (let at = text.indexOf(FRAME_END); at >= 0; at = text.indexOf(FRAME_END, at + 1)) {
        frames.push({ time, bytes });
        counted = Math.max(counted, at + FRAME_END.length);
      }
      for (let at = text.indexOf(statusPrefix); at >= 0; at = text.indexOf(statusPrefix, at + 1)) {
        const from = at + statusPrefix.length;
        const digits = /^\d+/.exec(text.slice(from, from + STEP_DIGITS));
        if (digits && from + digits[0].length < text.length) {
          steps.push({ time, step: Number(digits[0]) });
          counted = Math.max(counted, from + digits[0].length);
        }
      }
      // what a marker or status line split across two reads may have begun with
      tail = text.slice(Math.max(counted, text.length - Math.max(FRAME_END.length, statusPrefix.length + STEP_DIGITS)));
    });
    const wait = (s: number) => new Promise((done) => setTimeout(done, s * 1000));
    const phase = async (speed: PtyPhase["speed"]): Promise<PtyPhase> => {
      await wait(settleSeconds);
      const start = performance.now();
      await wait(seconds);
      const end = performance.now();
      const inWindow = frames.filter((mark) => mark.time >= start && mark.time <= end);
      const counted = steps.filter((mark) => mark.time >= start && mark.time <= end);
      const first = counted[0];
      const last = counted[counted.length - 1];
      const span = first && last ? (last.time - first.time) / 1000 : 0;
      const firstFrame = inWindow[0];
      const lastFrame = inWindow[inWindow.length - 1];
      return {
        speed,
        seconds: (end - start) / 1000,
        frames: inWindow.length,
        frames_per_s: (inWindow.length * 1000) / (end - start),
        steps_per_s: first && last && span > 0 ? (last.step - first.step) / span : 0,
        bytes_per_frame: firstFrame && lastFrame && inWindow.length > 1 ? (lastFrame.bytes - firstFrame.bytes) / (inWindow.length - 1) : 0,
      };
    };
    (async () => {
      const phases: PtyPhase[] = [];
      phases.push(await phase("default"));
      if (failed === null) {
        child.stdin.write("]".repeat(SPEEDS.length));
        phases.push(await phase("fastest"));
      }
      child.stdin.write("q");
      const exited = new Promise((done) => child.once("close", done));
      const timer = setTimeout(() => child.kill("SIGTERM"), 3000);
      await exited;
      clearTimeout(timer);
      if (failed !== null) resolve(failed);
      else if (frames.length === 0) resolve("the TUI wrote no frame to the pseudo-terminal");
      else resolve({ scenario: name, columns, rows, phases });
    })();
  });
}
