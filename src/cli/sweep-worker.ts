/** Worker thread of `klsim sweep`: answers each batch of SweepJobs with their rows. */
import { parentPort } from "node:worker_threads";
import { markWorkerThread } from "../engine/threads.js";
import { sweepBatch, type SweepJob } from "./sweep-job.js";

markWorkerThread(); // no helper thread, no second block thread: the sweep's threads already fill the cores

parentPort?.on("message", (jobs: SweepJob[]) => {
  sweepBatch(jobs).then(
    (rows) => parentPort?.postMessage({ rows }),
    (error: unknown) => parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) }),
  );
});
