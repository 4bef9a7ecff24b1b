/**
 * Exact metrics of a tabular autoregressive policy in one top-down pass over the prefix tree.
 * The chain rule for KL (Cover & Thomas 2006, Thm 2.5.3) turns sequence-level divergences into
 * sums over prefixes of next-token divergences, weighted by how likely the prefix is:
 *   KL(π‖π_ref) = Σ_n P_π(n)·KL(π(·|n)‖π_ref(·|n)),   KL(π_ref‖π) = Σ_n P_ref(n)·KL(π_ref(·|n)‖π(·|n)),
 *   H(π) = Σ_n P_π(n)·H(π(·|n)),   E_π[R] = Σ_{terminal edges (n,a)} P_π(n)·π(a|n)·R(y).
 * One pass: visiting n (parents first) knows P_π(n); it computes π(·|n) = softmax θ_n, the local
 * terms, and hands P_π(n)·π(a|n) to each child. log π = θ − logZ, never the log of a probability.
 */
import type { SequenceState } from "./state.js";

export function evaluateSequencePolicy(s: SequenceState): void {
  const { tree, logRef, ref, context, refReach, reward } = s.problem;
  const gold = s.problem.gold ?? reward;
  const { V, nodes, next, depth, eos } = tree;
  const { theta, pi, logZ, reach, prefixLogRatio, klProfile, alive } = s;
  klProfile.fill(0);
  alive.fill(0);
  reach[0] = 1;
  prefixLogRatio[0] = 0;
  let reverseKL = 0;
  let forwardKL = 0;
  let entropy = 0;
  let sumReward = 0;
  let sumGold = 0;
  let meanLength = 0;
  let tokenMeanKL = 0;
  for (let n = 0; n < nodes; n++) {
    const base = n * V;
    const row = context[n]! * V;
    let max = -Infinity;
    for (let a = 0; a < V; a++) if (theta[base + a]! > max) max = theta[base + a]!;
    let z = 0;
    for (let a = 0; a < V; a++) {
      const e = Math.exp(theta[base + a]! - max);
      pi[base + a] = e;
      z += e;
    }
    const lz = max + Math.log(z);
    logZ[n] = lz;
    const invZ = 1 / z;
    const Pn = reach[n]!;
    const prefix = prefixLogRatio[n]!;
    const steps = depth[n]! + 1; // tokens a sequence ending at this prefix has generated
    let kl = 0; // KL(π(·|n)‖π_ref(·|n))
    let fkl = 0; // KL(π_ref(·|n)‖π(·|n))
    let h = 0;
    let endR = 0; // Σ over terminal edges of π(a|n)·R
    let endG = 0;
    let endLogRatio = 0; // Σ over terminal edges of π(a|n)·log(π(y)/π_ref(y))/n(y)
    for (let a = 0; a < V; a++) {
      const e = base + a;
      const p = pi[e]! * invZ;
      pi[e] = p;
      const logPi = theta[e]! - lz;
      const logRatio = logPi - logRef[row + a]!;
      if (p > 0) {
        // 0·log 0 = 0: an edge an optimum gave θ = −∞ adds nothing (and no NaN).
        kl += p * logRatio;
        h -= p * logPi;
      }
      fkl -= ref[row + a]! * logRatio; // +Infinity where π(a|n) = 0: truly infinite
      const c = next[e]!;
      if (c >= 0) {
        reach[c] = Pn * p;
        prefixLogRatio[c] = prefix + logRatio;
      } else if (p > 0) {
        const y = -1 - c;
        endR += p * reward[y]!;
        endG += p * gold[y]!;
        endLogRatio += (p * (prefix + logRatio)) / steps;
      }
    }
    const t = depth[n]!;
    const weighted = Pn > 0 ? Pn * kl : 0;
    klProfile[t] = klProfile[t]! + weighted;
    alive[t] = alive[t]! + Pn;
    reverseKL += weighted;
    forwardKL += refReach[n]! * fkl;
    if (Pn > 0) {
      entropy += Pn * h;
      sumReward += Pn * endR;
      sumGold += Pn * endG;
      tokenMeanKL += Pn * endLogRatio;
      meanLength += eos >= 0 ? Pn * (1 - pi[base + eos]!) : Pn; // every token but eos adds 1 to L
    }
  }
  let meanTokens = 0;
  for (let t = 0; t < tree.horizon; t++) meanTokens += alive[t]!;
  s.reverseKL = reverseKL;
  s.forwardKL = forwardKL;
  s.entropy = entropy;
  s.reward = sumReward;
  s.goldReward = s.problem.gold ? sumGold : NaN;
  s.meanLength = meanLength;
  s.meanTokens = meanTokens;
  s.tokenMeanKL = tokenMeanKL;
}
