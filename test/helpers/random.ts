/** Seeded generator for reproducible test instances (the one the bench uses). */
export { mulberry32 as seededRandom } from "../../src/core/random.js";
