/**
 * The law of sequence lengths under π, for the exact expectation of a batch token mean: with
 * N = n_1 + … + n_B tokens in the batch, E[1/N | n_1 = x] = E[1/(x + M)] where M is the summed length
 * of the B − 1 other, independent sequences, whose law is the (B−1)-fold convolution of Pr(n = l).
 * Lengths here count generated tokens, eos included (1 … T), as a response mask does.
 */
export class LengthLaw {
  /** Pr(n = l) for l = 1…T (entry 0 unused). */
  readonly prob: Float64Array;
  /** E[G·1{n = l}]: the return mass of sequences with l tokens. */
  readonly returnMass: Float64Array;
  /** Pr(M = k) for the B − 1 others, then for B − 2 of them (k = 0…(B−1)·T). */
  private readonly others: Float64Array;
  private readonly othersButOne: Float64Array;
  private readonly scratch: Float64Array;

  constructor(
    readonly horizon: number,
    readonly batch: number,
  ) {
    this.prob = new Float64Array(horizon + 1);
    this.returnMass = new Float64Array(horizon + 1);
    const size = Math.max(0, batch - 1) * horizon + 1;
    this.others = new Float64Array(size);
    this.othersButOne = new Float64Array(size);
    this.scratch = new Float64Array(size);
  }

  clear(): void {
    this.prob.fill(0);
    this.returnMass.fill(0);
  }

  /** Adds a sequence of probability p with n tokens and return g. */
  add(n: number, p: number, g: number): void {
    this.prob[n] = this.prob[n]! + p;
    this.returnMass[n] = this.returnMass[n]! + p * g;
  }

  /** E[G] = Σ_l E[G·1{n = l}]. */
  meanReturn(): number {
    let sum = 0;
    for (let l = 1; l <= this.horizon; l++) sum += this.returnMass[l]!;
    return sum;
  }

  /** The laws of the summed lengths of B − 1 and of B − 2 other sequences, by repeated convolution (after every `add`). */
  convolveOthers(): void {
    const T = this.horizon;
    let law = this.scratch;
    let spare = this.others;
    law.fill(0);
    law[0] = 1; // no sequences: M = 0
    const m = this.batch - 1;
    for (let j = 0; j < m; j++) {
      if (j === m - 1) this.othersButOne.set(law);
      spare.fill(0);
      // law covers j…j·T; adding one sequence (1…T tokens) covers j + 1…(j + 1)·T.
      for (let k = j; k <= j * T; k++) {
        const pk = law[k]!;
        if (pk === 0) continue;
        for (let l = 1; l <= T; l++) spare[k + l] = spare[k + l]! + pk * this.prob[l]!;
      }
      const swap = law;
      law = spare;
      spare = swap;
    }
    if (law !== this.others) this.others.set(law);
  }

  /** E[1/(x + M)] with M the summed length of the B − 1 others (after `convolveOthers`). */
  inverseWithOthers(x: number): number {
    return inverseMean(this.others, x, this.batch - 1, this.horizon);
  }

  /** E[1/(x + M′)] with M′ the summed length of B − 2 others (B ≥ 2). */
  inverseWithOthersButOne(x: number): number {
    return inverseMean(this.othersButOne, x, this.batch - 2, this.horizon);
  }
}

/** Σ_k Pr(M = k)/(x + k) over the support m…m·T of a sum of m lengths. */
function inverseMean(law: Float64Array, x: number, m: number, T: number): number {
  let sum = 0;
  for (let k = m; k <= m * T; k++) sum += law[k]! / (x + k);
  return sum;
}
