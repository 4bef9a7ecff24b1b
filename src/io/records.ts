/** Streams step records to a .csv, .json or .ndjson file, atomically (see atomic.ts). */
import { extname } from "node:path";
import { InputError } from "../errors.js";
import { CSV_HEADER, csvLine, jsonRecord } from "../sim/format.js";
import { AtomicFile } from "./atomic.js";

export type RecordFormat = "csv" | "json" | "ndjson";

export function formatOf(path: string, flag = "--out"): RecordFormat {
  const ext = extname(path).toLowerCase();
  if (ext === ".csv" || ext === ".json" || ext === ".ndjson") return ext.slice(1) as RecordFormat;
  throw new InputError(`unknown file type '${ext || "(none)"}' for ${path}; use .csv, .json or .ndjson`, flag);
}

export class RecordWriter {
  private readonly file: AtomicFile;
  private rows = 0;

  constructor(
    path: string,
    readonly format: RecordFormat = formatOf(path),
  ) {
    this.file = new AtomicFile(path);
    if (format === "csv") this.file.write(CSV_HEADER + "\n");
    if (format === "json") this.file.write("[");
  }

  get rowCount(): number {
    return this.rows;
  }

  write(row: ArrayLike<number>): void {
    if (this.format === "csv") this.file.write(csvLine(row) + "\n");
    else if (this.format === "ndjson") this.file.write(jsonRecord(row) + "\n");
    else this.file.write((this.rows ? ",\n" : "\n") + jsonRecord(row));
    this.rows++;
  }

  commit(): void {
    if (this.format === "json") this.file.write("\n]\n");
    this.file.commit();
  }

  abort(): void {
    this.file.abort();
  }
}
