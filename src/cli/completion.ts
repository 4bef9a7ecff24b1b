/**
 * `klsim completion bash|zsh`: a shell completion script written from the command specs (every
 * command's flags and their choices), the shipped scenario names and the scenario fields `--set`
 * takes, so it lists what this klsim accepts and never goes stale by hand.
 */
import { InputError } from "../errors.js";
import { KEY_ALIASES } from "../scenario/aliases.js";
import { listScenarioNames } from "../scenario/loader.js";
import { settablePaths } from "../scenario/settings.js";
import type { CommandSpec, FlagSpec, ParsedArgs } from "./args.js";
import type { Io } from "./io.js";

export const SHELLS = ["bash", "zsh"] as const;

export const completionSpec: CommandSpec = {
  name: "completion",
  summary: "Print a shell completion script for klsim: commands, flags and their choices, scenario names, --set fields.",
  positionals: [{ name: "shell", required: true, describe: "bash or zsh" }],
  flags: [],
  examples: ['eval "$(klsim completion bash)"    # in ~/.bashrc', "klsim completion zsh > ~/.zfunc/_klsim", 'eval "$(klsim completion zsh)"     # in ~/.zshrc'],
};

/** Words safe in a double-quoted compgen -W list (no quotes, spaces or $): flag names, choices, scenario names, field paths. */
function words(list: readonly string[]): string {
  return list.filter((w) => /^[\w.:+=/-]+$/.test(w)).join(" ");
}

/** What a flag's value completes to: its choices (or a registry's suggestions), files, scenario names, settable fields, or nothing (a number). */
function valueCompletion(flag: FlagSpec): string {
  const offered = flag.choices ?? flag.suggestions;
  if (offered) return `COMPREPLY=($(compgen -W "${words(offered)}" -- "$cur"))`;
  if (flag.name === "set") return `_klsim_fields`;
  if (flag.value === "FILE") return `COMPREPLY=($(compgen -f -- "$cur"))`;
  if (flag.value === "SCENARIO") return `_klsim_scenarios`;
  return "COMPREPLY=()";
}

export function bashScript(specs: readonly CommandSpec[]): string {
  const commands = specs.map((s) => s.name);
  const flagCases = specs.map((s) => `    ${s.name}) flags="${words([...s.flags.map((f) => `--${f.name}`), "--help", "--version"])}" ;;`);
  const valueCases = specs.flatMap((s) =>
    s.flags.filter((f) => f.type !== "boolean").map((f) => `    ${s.name}:--${f.name}) ${valueCompletion(f)}; return ;;`),
  );
  const takesScenario = specs.filter((s) => s.positionals.some((p) => p.name === "scenario")).map((s) => s.name);
  return `# klsim completion for bash, written by \`klsim completion bash\` from klsim's own command specs.
# Load it with: eval "$(klsim completion bash)"
_klsim_scenarios() {
  COMPREPLY=($(compgen -W "${words(listScenarioNames())}" -- "$cur") $(compgen -f -X '!*.json' -- "$cur") $(compgen -d -- "$cur"))
}
_klsim_fields() {
  COMPREPLY=($(compgen -S = -W "${words([...settablePaths(), ...Object.keys(KEY_ALIASES)])}" -- "$cur"))
  type compopt >/dev/null 2>&1 && compopt -o nospace 2>/dev/null
}
_klsim() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmd="\${COMP_WORDS[1]}" flags=""
  case " ${words(commands)} " in
    *" $cmd "*) ;;
    *) cmd=tui ;; # klsim [scenario]: the interactive UI
  esac
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${words([...commands, "help"])} --help --version" -- "$cur"))
    [[ $cur != -* ]] && COMPREPLY+=($(compgen -W "${words(listScenarioNames())}" -- "$cur"))
    return
  fi
  case "$cmd:$prev" in
${valueCases.join("\n")}
  esac
  case "$cmd" in
${flagCases.join("\n")}
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [[ " ${words(takesScenario)} " == *" $cmd "* ]]; then
    _klsim_scenarios
  elif [[ $cmd == help ]]; then
    COMPREPLY=($(compgen -W "${words(commands)}" -- "$cur"))
  elif [[ $cmd == completion ]]; then
    COMPREPLY=($(compgen -W "${words(SHELLS)}" -- "$cur"))
  fi
}
complete -F _klsim klsim
`;
}

/** zsh runs the bash function through bashcompinit (part of zsh). */
export function zshScript(specs: readonly CommandSpec[]): string {
  return `#compdef klsim
# klsim completion for zsh, written by \`klsim completion zsh\`: the bash completion through zsh's bashcompinit.
# Load it with: eval "$(klsim completion zsh)"
autoload -U +X bashcompinit && bashcompinit
${bashScript(specs)}`;
}

export function completionCommand(args: ParsedArgs, io: Io, specs: readonly CommandSpec[]): number {
  const shell = args.positionals[0]!;
  if (shell === "bash") io.out(bashScript(specs));
  else if (shell === "zsh") io.out(zshScript(specs));
  else throw new InputError(`expected one of ${SHELLS.join(", ")}, got '${shell}'`, "klsim completion");
  return 0;
}
