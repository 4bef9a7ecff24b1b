/**
 * A helper thread for large vocabularies: a worker that instantiates the kernel on the same
 * shared memory and, on each step, takes the second half of the vocabulary while the main thread
 * does the first. The hand-off is a few Int32 slots in the shared memory (CONTROL):
 *
 *   main:   write the parameters and job g; CLAIM = g (open); GEN = g (wake the helper if it
 *           sleeps); run chunk 0; then CAS(CLAIM, g → 0): if that wins, the helper has not taken
 *           job g, so run chunk 1 too; otherwise wait for DONE = g.
 *   helper: spin (then sleep) until GEN changes to some g; CAS(CLAIM, g → 0); if that wins, run
 *           chunk 1 and set DONE = g. (A helper that wakes late, for a job already taken back,
 *           fails its CAS: CLAIM names only the open job.)
 *
 * So the main thread never waits for a helper that is asleep, busy elsewhere or not started yet —
 * it only waits while the helper is computing — and each chunk writes its own result slot, which
 * the main thread adds in a fixed order: the numbers do not depend on who ran which chunk.
 */
import { createRequire } from "node:module";
import type { Worker } from "node:worker_threads";
import type { KernelInstance } from "./wasm.js";

/** node:worker_threads, loaded on first use (~3 ms that `klsim run` on a small vocabulary never pays). */
export function workerThreads(): typeof import("node:worker_threads") {
  return createRequire(import.meta.url)("node:worker_threads") as typeof import("node:worker_threads");
}

/** Int32 slots of the control block. */
export const SLOT = { GEN: 0, CLAIM: 1, DONE: 2, SLEEPING: 3, STOP: 4, KIND: 5, START: 6, COUNT: 7, TAIL: 8, OUT: 9 } as const;

/** The helper's code (a CommonJS script evaluated in the worker). */
const HELPER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, control, slot, spin, kinds } = workerData;
const exports_ = new WebAssembly.Instance(module, { env: { memory } }).exports;
const steps = kinds.map((name) => exports_[name]);
const ctl = new Int32Array(memory.buffer, control, 16);
let seen = 0; // GEN counts jobs from 0: a job offered before this thread was up is still seen
for (;;) {
  let gen = Atomics.load(ctl, slot.GEN);
  for (let k = 0; gen === seen && k < spin; k++) gen = Atomics.load(ctl, slot.GEN);
  if (gen === seen) {
    Atomics.store(ctl, slot.SLEEPING, 1);
    Atomics.wait(ctl, slot.GEN, seen);
    Atomics.store(ctl, slot.SLEEPING, 0);
    continue;
  }
  seen = gen;
  if (Atomics.load(ctl, slot.STOP)) break;
  if (Atomics.compareExchange(ctl, slot.CLAIM, gen, 0) !== gen) continue; // taken back, or a newer job
  steps[ctl[slot.KIND]](ctl[slot.START], ctl[slot.COUNT], ctl[slot.TAIL], ctl[slot.OUT]);
  Atomics.store(ctl, slot.DONE, gen);
  Atomics.notify(ctl, slot.DONE);
}
`;

/** Atomics.load polls before the helper goes to sleep (tens of microseconds: a run's next step comes sooner). */
const SPIN = 20_000;

export class Helper {
  private readonly worker: Worker;
  private failed = false;
  /** Chunks this helper has run (counted as the main thread collects them). */
  jobs = 0;

  constructor(
    instance: KernelInstance,
    private readonly ctl: Int32Array,
    kinds: readonly string[],
  ) {
    const { Worker } = workerThreads();
    this.worker = new Worker(HELPER_SOURCE, {
      eval: true,
      workerData: { module: instance.module, memory: instance.memory, control: ctl.byteOffset, slot: SLOT, spin: SPIN, kinds },
    });
    this.worker.unref(); // never keeps the process alive
    this.worker.on("error", () => {
      this.failed = true;
    });
    helpers.register(this, { worker: this.worker, ctl });
  }

  /** False once the worker has died (the main thread then runs every chunk itself). */
  get alive(): boolean {
    return !this.failed;
  }

  /** Offers chunk `(start, count, tail, out)` of step function `kind`; returns the job's generation. */
  offer(kind: number, start: number, count: number, tail: number, out: number): number {
    const ctl = this.ctl;
    ctl[SLOT.KIND] = kind;
    ctl[SLOT.START] = start;
    ctl[SLOT.COUNT] = count;
    ctl[SLOT.TAIL] = tail;
    ctl[SLOT.OUT] = out;
    let gen = Atomics.load(ctl, SLOT.GEN) + 1;
    if (gen === 0 || gen > 0x3fffffff) gen = 1; // never 0: CLAIM = 0 means "no open job"
    Atomics.store(ctl, SLOT.CLAIM, gen);
    Atomics.store(ctl, SLOT.GEN, gen);
    if (Atomics.load(ctl, SLOT.SLEEPING) !== 0) Atomics.notify(ctl, SLOT.GEN);
    return gen;
  }

  /** True if the main thread took job `gen` back (the helper had not taken it). */
  takeBack(gen: number): boolean {
    return Atomics.compareExchange(this.ctl, SLOT.CLAIM, gen, 0) === gen;
  }

  /**
   * Waits for the helper to finish job `gen`: it claimed it (it is computing), or — `patient`, for the
   * tests' "always" mode — it will, once its thread is up, which on a loaded machine can take seconds.
   * Polls briefly, then sleeps in 1 ms slices, so that a helper sharing this core gets it.
   */
  await(gen: number, patient = false): void {
    const ctl = this.ctl;
    const limit = patient ? 120_000 : 10_000; // ms without an answer before the helper counts as gone
    for (let polls = 0; polls < 4000; polls++) {
      if (Atomics.load(ctl, SLOT.DONE) === gen) {
        this.jobs++;
        return;
      }
    }
    for (let slept = 0; ; slept++) {
      const done = Atomics.load(ctl, SLOT.DONE);
      if (done === gen) {
        this.jobs++;
        return;
      }
      if (slept > limit) {
        this.failed = true; // ten seconds without an answer: the helper is gone
        throw new Error("the kernel's helper thread stopped answering");
      }
      Atomics.wait(ctl, SLOT.DONE, done, 1);
    }
  }
}

/** Stops a helper whose FastExact was garbage-collected. */
const helpers = new FinalizationRegistry<{ worker: Worker; ctl: Int32Array }>(({ worker, ctl }) => {
  Atomics.store(ctl, SLOT.STOP, 1);
  Atomics.add(ctl, SLOT.GEN, 1);
  Atomics.notify(ctl, SLOT.GEN);
  void worker.terminate();
});
