/** `klsim scenarios`: the shipped scenarios and what each teaches. */
import { printable } from "../io/terminal-text.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { listScenarioNames, SCENARIOS_DIR } from "../scenario/loader.js";
import { wrap } from "../tui/number-format.js";
import { booleanFlag, type CommandSpec, type ParsedArgs } from "./args.js";
import type { Io } from "./io.js";
import { JSON_FLAG } from "./overrides.js";

export const scenariosSpec: CommandSpec = {
  name: "scenarios",
  summary: `List the shipped scenarios (${SCENARIOS_DIR}) with their descriptions.`,
  positionals: [],
  flags: [JSON_FLAG],
  examples: ["klsim scenarios", "klsim scenarios --json"],
};

function descriptionOf(name: string): string {
  try {
    const json = JSON.parse(readFileSync(join(SCENARIOS_DIR, `${name}.json`), "utf8")) as { description?: unknown };
    return typeof json.description === "string" ? printable(json.description) : ""; // text from a file: escaped (io/terminal-text.ts)
  } catch {
    return "(unreadable)";
  }
}

export function scenariosCommand(args: ParsedArgs, io: Io): number {
  const entries = listScenarioNames().map((name) => ({ name, description: descriptionOf(name) }));
  if (booleanFlag(args, "json")) {
    io.out(JSON.stringify(entries) + "\n");
    return 0;
  }
  io.out(
    entries
      .map(
        (e) =>
          `${e.name}\n${wrap(e.description, 76)
            .map((line) => `    ${line}`)
            .join("\n")}`,
      )
      .join("\n\n") + "\n",
  );
  return 0;
}
