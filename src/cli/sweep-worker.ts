/** Worker thread of `klsim sweep`: answers each SweepJob message with its row. */
import { parentPort } from "node:worker_threads";
import { sweepOne, type SweepJob } from "./sweep-job.js";

parentPort?.on("message", (job: SweepJob) => {
  sweepOne(job).then(
    (row) => parentPort?.postMessage({ row }),
    (error: unknown) => parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) }),
  );
});
