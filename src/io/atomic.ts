/**
 * Output files, the one place klsim writes a named file. A regular file is written to a
 * temporary file beside the target and renamed over it only when complete, so a failed or
 * interrupted run never leaves a half file or clobbers an existing one. The temporary file is
 * created exclusively (O_EXCL: a planted link or file at its name is never followed or reused)
 * under an unpredictable short name (`.klsim-<random>.tmp`, which fits NAME_MAX beside any legal
 * target name), and takes the replaced file's permissions. A read-only target is refused.
 * A special file (a FIFO, /dev/null, a terminal, /dev/stdout) is written into directly: renaming
 * over it would replace the device node with a regular file.
 */
import { closeSync, constants, fchmodSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync, type Stats } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { InputError, OutputError } from "../errors.js";

const live = new Set<string>();
let cleanupInstalled = false;

/** Removes temporary files of unfinished outputs (on a signal or at exit). */
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
  ENOSPC: "disk full",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EIO: "input/output error",
  ENOENT: "no such directory",
  ENOTDIR: "a parent is not a directory",
  ENAMETOOLONG: "file name too long",
};

/** "disk full (ENOSPC)" for an errno error; its message otherwise. */
export function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (!code) return error instanceof Error ? error.message : String(error);
  return REASONS[code] ? `${REASONS[code]} (${code})` : code;
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * A target written into directly: an existing file that is not a regular file (FIFO, device,
 * socket), or one reached through /dev or /proc (/dev/stdout, /dev/fd/1 onto a redirected file).
 */
export function isSpecialOutput(target: string): boolean {
  const stats = statOrNull(target);
  if (stats === null) return false;
  if (!stats.isFile()) return !stats.isDirectory();
  try {
    return /^\/(dev|proc)\//.test(realpathSync(target));
  } catch {
    return true;
  }
}

/** No write permission for anyone (0444): the user meant to keep this file. Root would replace it regardless. */
function isReadOnly(stats: Stats): boolean {
  return (stats.mode & 0o222) === 0;
}

/** Checks up front that `target` can be written (so bad --out fails before any work). */
export function checkWritable(target: string, flag = "--out"): void {
  const stats = statOrNull(target);
  if (stats?.isDirectory()) throw new InputError(`${target} is a directory`, flag);
  if (stats?.isFile() && !isSpecialOutput(target) && isReadOnly(stats)) {
    throw new InputError(`${target} is read-only (mode ${(stats.mode & 0o777).toString(8)}); refusing to replace it`, flag);
  }
  const dir = dirname(target) || ".";
  const parent = statOrNull(dir);
  if (parent === null) throw new InputError(`directory ${dir} does not exist`, flag);
  if (!parent.isDirectory()) throw new InputError(`${dir} is not a directory`, flag);
}

/** The temporary file's name: short (fits NAME_MAX beside any target name) and unpredictable. */
function temporaryName(): string {
  // node:crypto on first use: loading it costs every command ~45 built-in modules at start-up
  const { randomBytes } = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  return `.klsim-${randomBytes(12).toString("hex")}.tmp`;
}

/** A file being written: `write` appends (buffered), `commit` renames into place, `abort` removes. */
export class AtomicFile {
  /** The temporary file (null: writing straight into a special file). */
  private readonly temp: string | null;
  /** Where the rename lands: the target, or the regular file a symbolic link at the target points to. */
  private readonly destination: string;
  private fd: number;
  private buffer = "";

  constructor(
    readonly target: string,
    flag = "--out",
  ) {
    checkWritable(target, flag);
    installCleanup();
    if (isSpecialOutput(target)) {
      this.temp = null;
      this.destination = target;
      this.fd = this.open(target, "w");
      return;
    }
    const existing = statOrNull(target);
    // a link at the target stays a link: the file it points to is replaced
    this.destination = existing ? realpathSync(target) : target;
    const dir = dirname(this.destination);
    let temp = join(dir, temporaryName());
    let fd: number | null = null;
    for (let attempt = 0; fd === null; attempt++) {
      try {
        fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o666);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 4) this.refuse(error, flag);
        temp = join(dir, temporaryName());
      }
    }
    this.fd = fd;
    this.temp = temp;
    live.add(temp);
    if (existing) {
      try {
        fchmodSync(fd, existing.mode & 0o7777); // the replaced file's permissions (0600 stays 0600)
      } catch {
        // a file system without modes (e.g. some mounts): keep the default
      }
    }
  }

  private open(path: string, flags: string): number {
    try {
      return openSync(path, flags);
    } catch (error) {
      this.refuse(error, "--out");
    }
  }

  private refuse(error: unknown, flag: string): never {
    throw new InputError(`cannot write ${this.target}: ${reasonOf(error)}`, flag);
  }

  write(text: string): void {
    this.buffer += text;
    if (this.buffer.length >= 1 << 16) this.flush();
  }

  private flush(): void {
    try {
      if (this.buffer) writeSync(this.fd, this.buffer);
    } catch (error) {
      throw new OutputError(`cannot write ${this.target}: ${reasonOf(error)}`);
    }
    this.buffer = "";
  }

  commit(): void {
    this.flush();
    try {
      closeSync(this.fd);
      if (this.temp !== null) renameSync(this.temp, this.destination);
    } catch (error) {
      throw new OutputError(`cannot write ${this.target}: ${reasonOf(error)}`);
    }
    if (this.temp !== null) live.delete(this.temp);
  }

  /** Removes the temporary file; what went into a special file cannot be taken back. */
  abort(): void {
    this.buffer = "";
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    if (this.temp === null) return;
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
