/**
 * Atomic output files: everything is written to a temporary file beside the target and renamed
 * over it only when complete, so a failed or interrupted run never leaves a half file or
 * clobbers an existing one.
 */
import { closeSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { InputError } from "../errors.js";

const live = new Set<string>();
let cleanupInstalled = false;

/** Removes temporary files of unfinished outputs (on SIGINT/SIGTERM/exit). */
export function removeUnfinishedOutputs(): void {
  for (const path of live) rmSync(path, { force: true });
  live.clear();
}

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on("exit", removeUnfinishedOutputs);
}

/** True when both paths name the same existing file (e.g. `--out` would overwrite the scenario). */
export function sameFile(a: string, b: string): boolean {
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  ENOENT: "no such directory",
  ENOTDIR: "a parent is not a directory",
};

/** Checks up front that `target` can be written (so bad --out fails before any work). */
export function checkWritable(target: string, flag = "--out"): void {
  try {
    if (statSync(target).isDirectory()) throw new InputError(`${target} is a directory`, flag);
  } catch (error) {
    if (error instanceof InputError) throw error;
  }
  try {
    if (!statSync(dirname(target) || ".").isDirectory()) throw new InputError(`${dirname(target)} is not a directory`, flag);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(`directory ${dirname(target)} does not exist`, flag);
  }
}

/** A file being written: `write` appends (buffered), `commit` renames into place, `abort` removes. */
export class AtomicFile {
  private readonly temp: string;
  private fd: number;
  private buffer = "";

  constructor(readonly target: string) {
    checkWritable(target);
    installCleanup();
    this.temp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
    try {
      this.fd = openSync(this.temp, "w");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new InputError(`cannot write ${target}: ${code ? `${REASONS[code] ?? code}${REASONS[code] ? ` (${code})` : ""}` : String(error)}`, "--out");
    }
    live.add(this.temp);
  }

  write(text: string): void {
    this.buffer += text;
    if (this.buffer.length >= 1 << 16) this.flush();
  }

  private flush(): void {
    if (this.buffer) writeSync(this.fd, this.buffer);
    this.buffer = "";
  }

  commit(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(this.temp, this.target);
    live.delete(this.temp);
  }

  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.temp, { force: true });
    live.delete(this.temp);
  }
}

/** Writes a whole text atomically. */
export function writeFileAtomic(target: string, text: string): void {
  const file = new AtomicFile(target);
  try {
    file.write(text);
    file.commit();
  } catch (error) {
    file.abort();
    throw error;
  }
}
