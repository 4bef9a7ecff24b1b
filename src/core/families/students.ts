/**
 * The student registry: each restricted family of fit mode (DESIGN §1) as one entry that builds it
 * from its resolved settings. The scenario's `student.family` choices and the fit stepper read it.
 */
import type { Problem } from "../problem.js";
import { mulberry32 } from "../random.js";
import { GaussianStudent } from "./gaussian.js";
import { LowRankStudent } from "./lowrank.js";
import { MixtureStudent } from "./mixture.js";
import type { StudentFamily } from "./student.js";

/** A student's settings with everything resolved (the loader evaluates feature expressions). */
export type StudentConfig =
  | { family: "gaussian"; mu: number; sigma: number }
  | { family: "mixture"; weights: number[]; means: number[]; sigmas: number[] }
  | { family: "lowrank"; features: Float64Array; init: number[] };

export type StudentName = StudentConfig["family"];

/** Each family's constructor: a missing family is a compile error. */
const STUDENTS: { [K in StudentName]: (problem: Problem, config: Extract<StudentConfig, { family: K }>) => StudentFamily } = {
  gaussian: (problem, c) => new GaussianStudent(problem, c.mu, c.sigma),
  mixture: (problem, c) => new MixtureStudent(problem, c.weights, c.means, c.sigmas),
  lowrank: (problem, c) => new LowRankStudent(problem, c.features, c.init),
};

export const STUDENT_NAMES = Object.keys(STUDENTS) as StudentName[];

export function createStudent(problem: Problem, config: StudentConfig): StudentFamily {
  return (STUDENTS[config.family] as (problem: Problem, config: StudentConfig) => StudentFamily)(problem, config);
}

/**
 * A V×r feature matrix of independent standard normals from a seed (Box–Muller on mulberry32),
 * scaled by 1/√r so that logits U·w keep unit scale whatever the rank.
 */
export function randomFeatures(V: number, rank: number, seed: number): Float64Array {
  const rand = mulberry32(seed);
  const out = new Float64Array(V * rank);
  const scale = 1 / Math.sqrt(rank);
  for (let j = 0; j < out.length; j++) {
    const u = 1 - rand(); // (0, 1]: log u is finite
    out[j] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  }
  return out;
}
