/** Streams step records to a .csv, .json or .ndjson file, atomically (see atomic.ts), or as NDJSON to stdout (`-`). */
import { extname } from "node:path";
import { InputError } from "../errors.js";
import { RecordFormat } from "../sim/record-format.js";
import type { RecordField } from "../sim/record.js";
import { AtomicFile, isSpecialOutput } from "./atomic.js";
import { StdoutSink } from "./stdout.js";

/** The --out value that means stdout. */
export const STDOUT = "-";

export type FileFormat = "csv" | "json" | "ndjson";

export function formatOf(path: string, flag = "--out"): FileFormat {
  if (path === STDOUT) return "ndjson";
  const ext = extname(path).toLowerCase();
  if (ext === ".csv" || ext === ".json" || ext === ".ndjson") return ext.slice(1) as FileFormat;
  if (isSpecialOutput(path)) return "ndjson"; // /dev/null, a FIFO, /dev/stdout: streamed records, as for `-`
  throw new InputError(`unknown file type '${ext || "(none)"}' for ${path}; use .csv, .json or .ndjson`, flag);
}

export class RecordWriter {
  private readonly file: AtomicFile | StdoutSink;
  private readonly records: RecordFormat;
  private rows = 0;

  /** `fields`: the columns (the Simulation's recordFields). */
  constructor(
    path: string,
    fields?: readonly RecordField[],
    readonly format: FileFormat = formatOf(path),
  ) {
    this.records = new RecordFormat(fields);
    this.file = path === STDOUT ? new StdoutSink() : new AtomicFile(path);
    if (format === "csv") this.file.write(this.records.header + "\n");
    if (format === "json") this.file.write("[");
  }

  get rowCount(): number {
    return this.rows;
  }

  write(row: ArrayLike<number>): void {
    if (this.format === "csv") this.file.write(this.records.csvLine(row) + "\n");
    else if (this.format === "ndjson") this.file.write(this.records.jsonRecord(row) + "\n");
    else this.file.write((this.rows ? ",\n" : "\n") + this.records.jsonRecord(row));
    this.rows++;
  }

  /** Resolves when the output can take more (stdout drained); at once for a file. */
  drained(): Promise<void> {
    return this.file instanceof StdoutSink ? this.file.drained() : Promise.resolve();
  }

  /** stdout's reader has gone away (`| head`): writing more is pointless. */
  get readerGone(): boolean {
    return this.file instanceof StdoutSink && this.file.readerGone;
  }

  /** Writing to stdout failed for another reason (the message), or null. */
  get failed(): string | null {
    return this.file instanceof StdoutSink ? this.file.failed : null;
  }

  commit(): void {
    if (this.format === "json") this.file.write("\n]\n");
    this.file.commit();
  }

  abort(): void {
    this.file.abort();
  }
}
