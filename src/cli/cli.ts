/**
 * klsim's entry point: dispatches to one command per file. Exit codes: 0 success, 2 bad input
 * (one line on stderr naming file and field), 1 internal failure or a diverged run.
 */
import { DivergenceError, InputError, OutputError } from "../errors.js";
import { onStopSignals, signalExitCode } from "../io/signals.js";
import { guardStdout } from "../io/stdout.js";
import { closest } from "../scenario/validate.js";
import { helpText, parseArgs, type CommandSpec, type ParsedArgs } from "./args.js";
import type { Io } from "./io.js";
import { versionText } from "./version.js";

interface Command {
  spec: () => Promise<CommandSpec>;
  run: (args: ParsedArgs, io: Io) => Promise<number>;
}

// Each command's module is imported only when that command runs, so startup stays fast.
const COMMANDS: Record<string, Command> = {
  tui: { spec: async () => (await import("./tui.js")).tuiSpec, run: async (a, io) => (await import("./tui.js")).tuiCommand(a, io) },
  run: { spec: async () => (await import("./run.js")).runSpec, run: async (a, io) => (await import("./run.js")).runCommand(a, io) },
  optimum: { spec: async () => (await import("./optimum.js")).optimumSpec, run: async (a, io) => (await import("./optimum.js")).optimumCommand(a, io) },
  kl: { spec: async () => (await import("./kl.js")).klSpec, run: async (a, io) => (await import("./kl.js")).klCommand(a, io) },
  sweep: { spec: async () => (await import("./sweep.js")).sweepSpec, run: async (a, io) => (await import("./sweep.js")).sweepCommand(a, io) },
  frontier: {
    spec: async () => (await import("./frontier.js")).frontierSpec,
    run: async (a, io) => (await import("./frontier.js")).frontierCommand(a, io),
  },
  "best-of-n": {
    spec: async () => (await import("./best-of-n.js")).bestOfNSpec,
    run: async (a, io) => (await import("./best-of-n.js")).bestOfNCommand(a, io),
  },
  estimators: {
    spec: async () => (await import("./estimators.js")).estimatorsSpec,
    run: async (a, io) => (await import("./estimators.js")).estimatorsCommand(a, io),
  },
  scenarios: {
    spec: async () => (await import("./scenarios.js")).scenariosSpec,
    run: async (a, io) => (await import("./scenarios.js")).scenariosCommand(a, io),
  },
  bench: { spec: async () => (await import("./bench.js")).benchSpec, run: async (a, io) => (await import("./bench.js")).benchCommand(a, io) },
  completion: {
    spec: async () => (await import("./completion.js")).completionSpec,
    run: async (a, io) => (await import("./completion.js")).completionCommand(a, io, await Promise.all(Object.values(COMMANDS).map((c) => c.spec()))),
  },
};

const SUMMARY: Record<string, string> = {
  tui: "interactive terminal UI (the default command; static report without a TTY)",
  run: "headless run: records to .csv/.json/.ndjson, final summary",
  optimum: "closed-form optimum for a scenario's β and penalty",
  kl: "divergences of two distributions",
  sweep: "one run per β (in parallel): final and optimum metrics per β",
  frontier: "choosing β: runs, optimum curve, best-of-n, Gao fits, best β (--plot)",
  "best-of-n": "exact best-of-n from π_ref: its KL beside the bound log n − (n−1)/n, its rewards",
  estimators: "what each KL estimator × placement really optimises, and where it settles",
  scenarios: "list the shipped scenarios",
  bench: "performance benchmark",
  completion: 'shell completion script: eval "$(klsim completion bash)" (or zsh)',
};

function mainHelp(): string {
  return [
    "klsim — watch a softmax policy trade reward against a KL penalty",
    "",
    "Usage: klsim [scenario]            interactive UI (default scenario: basic)",
    "       klsim <command> [args] [options]",
    "",
    "Commands:",
    ...Object.keys(COMMANDS).map((name) => `  ${name.padEnd(11)}${SUMMARY[name]}`),
    "",
    "Run 'klsim <command> --help' for a command's options.",
  ].join("\n");
}

/**
 * The process's Io. The stop-signal handlers are installed only when a command first reads
 * `signal`, i.e. when it is about to poll it (between slices of a run). Until then the default
 * action applies and a signal ends the process at once: a JavaScript handler would only run when
 * the event loop turns, so a handler installed during long synchronous work (evaluating a big
 * expression, a slow optimum) would make the process ignore Ctrl+C and SIGTERM.
 */
function processIo(controller: AbortController): Io {
  let installed = false;
  let progressShown = false;
  return {
    out: (text) => process.stdout.write(text),
    err: (line) => {
      process.stderr.write((progressShown ? "\r\x1b[K" : "") + line + "\n");
      progressShown = false;
    },
    progress: (text) => {
      process.stderr.write(`\r${text}\x1b[K`);
      progressShown = true;
    },
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    get signal() {
      if (!installed) installSignalHandlers(controller);
      installed = true;
      return controller.signal;
    },
  };
}

/** A stop signal (io/signals.ts) aborts the running command (which removes its unfinished files); a second one exits at once. */
function installSignalHandlers(controller: AbortController): void {
  onStopSignals((signal) => {
    if (controller.signal.aborted) process.exit(signalExitCode(signal));
    controller.abort(new Interrupted(signal));
  });
}

class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  const controller = new AbortController();
  guardStdout(); // a closed pipe or a full disk on stdout: one quiet exit, never a stack trace
  const io = processIo(controller);
  const first = argv[0];
  if (first === "--help" || first === "-h" || first === "help") {
    // `klsim help run` is `klsim run --help`
    const topic = first === "help" ? argv[1] : undefined;
    if (topic !== undefined && topic in COMMANDS) io.out(helpText(await COMMANDS[topic]!.spec()));
    else io.out(mainHelp() + "\n");
    return 0;
  }
  if (first === "--version" || first === "-V") {
    io.out(versionText());
    return 0;
  }
  const isCommand = first !== undefined && first in COMMANDS;
  const name = isCommand ? first : "tui";
  const rest = isCommand ? argv.slice(1) : argv;
  const command = COMMANDS[name]!;
  try {
    const spec = await command.spec();
    const args = parseArgs(rest, spec);
    if (args.help || args.version) {
      io.out(args.help ? helpText(spec) : versionText());
      return 0;
    }
    return await command.run(args, io);
  } catch (error) {
    return report(error, io, isCommand ? undefined : first);
  }
}

function report(error: unknown, io: Io, maybeCommand: string | undefined): number {
  if (error instanceof InputError) {
    // `klsim rnu basic` runs the default command with scenario "rnu": hint at the command too.
    const hint = maybeCommand && !maybeCommand.includes("/") ? closest(maybeCommand, Object.keys(COMMANDS)) : undefined;
    const aboutIt = error.file === maybeCommand || error.field === "klsim tui";
    io.err(`${error.message}${hint && aboutIt ? ` (or did you mean 'klsim ${hint}'?)` : ""}`);
    return 2;
  }
  if (error instanceof Interrupted) {
    io.err(`klsim: ${error.message}; no output written`);
    return signalExitCode(error.signal);
  }
  if (error instanceof OutputError) {
    io.err(`klsim: ${error.message}`);
    return 1;
  }
  if (error instanceof DivergenceError) {
    io.err(`klsim: ${error.message}`);
    return 1;
  }
  const detail = error instanceof Error ? error.message : String(error);
  io.err(`klsim: internal error: ${detail.split("\n")[0]}${process.env.KLSIM_DEBUG ? "" : " (set KLSIM_DEBUG=1 for details)"}`);
  if (process.env.KLSIM_DEBUG && error instanceof Error) io.err(error.stack ?? "");
  return 1;
}
