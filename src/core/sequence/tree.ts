/**
 * The prefix tree of a tabular autoregressive policy: V tokens, horizon T, optional
 * end-of-sequence token. A *node* is a prefix at which a token is chosen (it owns one logit row);
 * an *edge* n·V + a is "append token a to prefix n". An edge is terminal when a is eos or the
 * prefix already has T − 1 tokens: it then ends one *sequence*. Flat typed arrays in breadth-first
 * order, so parents come before children (a top-down pass is n = 0…N−1, bottom-up the reverse).
 */

/** The shape that fixes the tree. */
export interface TreeShape {
  /** Vocabulary size V (eos counts as one of the V tokens). */
  readonly V: number;
  /** Horizon T ≥ 1: the most tokens a sequence can have. */
  readonly horizon: number;
  /** Index of the end-of-sequence token, or −1 without one (then every sequence has length T). */
  readonly eos: number;
}

/** Most prefixes (logit rows) a tree may have. */
export const MAX_PREFIXES = 131_072;
/** Most edges (prefixes × V: logits) a tree may have; each per-edge buffer is 8 bytes an edge. */
export const MAX_EDGES = 4_194_304;

/** Number of prefixes and of sequences of a shape, in floating point (so an oversized shape does not overflow). */
export function treeSizeOf(shape: TreeShape): { prefixes: number; sequences: number } {
  const { V, horizon: T, eos } = shape;
  const branching = eos >= 0 ? V - 1 : V; // tokens that lead on to a longer prefix
  let prefixes = 0;
  let level = 1; // prefixes at depth t: branching^t
  for (let t = 0; t < T && prefixes <= MAX_PREFIXES; t++) {
    prefixes += level;
    level *= branching;
  }
  // Sequences: one per eos edge (every prefix) plus every non-eos edge at depth T − 1.
  const sequences = eos >= 0 ? prefixes + Math.pow(branching, T) : Math.pow(V, T);
  return { prefixes, sequences };
}

/** Why a shape cannot be built, or undefined if it can (for validators: one line, no field names). */
export function treeShapeProblem(shape: TreeShape): string | undefined {
  const { V, horizon, eos } = shape;
  if (!Number.isInteger(V) || V < 2) return `the vocabulary has ${V} tokens; a sequence policy needs at least 2`;
  if (!Number.isInteger(horizon) || horizon < 1) return `horizon ${horizon} must be an integer ≥ 1`;
  if (!Number.isInteger(eos) || eos < -1 || eos >= V) return `eos index ${eos} is not a token index (0…${V - 1}) or −1`;
  const { prefixes } = treeSizeOf(shape);
  if (prefixes > MAX_PREFIXES) return `V = ${V}, horizon ${horizon} has more than ${MAX_PREFIXES} prefixes; use a smaller vocabulary or horizon`;
  if (prefixes * V > MAX_EDGES) return `V = ${V}, horizon ${horizon} has ${prefixes} prefixes × ${V} tokens = ${prefixes * V} logits, more than ${MAX_EDGES}`;
  return undefined;
}

export class PrefixTree implements TreeShape {
  readonly V: number;
  readonly horizon: number;
  readonly eos: number;
  /** Number of prefixes N (logit rows). Node 0 is the empty prefix. */
  readonly nodes: number;
  /** Number of complete sequences S (terminal edges). */
  readonly sequences: number;
  /** node → parent node (−1 for the root). */
  readonly parent: Int32Array;
  /** node → its length t (tokens so far): the position of the token it chooses next. */
  readonly depth: Int32Array;
  /** node → the token that led to it (−1 for the root). */
  readonly token: Int32Array;
  /** edge n·V + a → the child prefix (≥ 0), or −1 − y when the edge ends sequence y. */
  readonly next: Int32Array;
  /** sequence → its terminal edge. */
  readonly seqEdge: Int32Array;
  /** sequence → its last prefix (the node of its terminal edge). */
  readonly seqNode: Int32Array;
  /** sequence → L, its length without eos. */
  readonly seqLength: Int32Array;

  constructor(shape: TreeShape) {
    const problem = treeShapeProblem(shape);
    if (problem) throw new RangeError(problem);
    const { V, horizon: T, eos } = shape;
    this.V = V;
    this.horizon = T;
    this.eos = eos;
    const { prefixes, sequences } = treeSizeOf(shape);
    this.nodes = prefixes;
    this.sequences = sequences;
    this.parent = new Int32Array(prefixes);
    this.depth = new Int32Array(prefixes);
    this.token = new Int32Array(prefixes);
    this.next = new Int32Array(prefixes * V);
    this.seqEdge = new Int32Array(sequences);
    this.seqNode = new Int32Array(sequences);
    this.seqLength = new Int32Array(sequences);
    this.parent[0] = -1;
    this.token[0] = -1;
    let made = 1;
    let y = 0;
    // Breadth-first: node n's children are numbered when n is visited, after every earlier node's.
    for (let n = 0; n < prefixes; n++) {
      const t = this.depth[n]!;
      for (let a = 0; a < V; a++) {
        const edge = n * V + a;
        if (a === eos || t + 1 === T) {
          this.next[edge] = -1 - y;
          this.seqEdge[y] = edge;
          this.seqNode[y] = n;
          this.seqLength[y] = a === eos ? t : t + 1;
          y++;
        } else {
          const child = made++;
          this.parent[child] = n;
          this.depth[child] = t + 1;
          this.token[child] = a;
          this.next[edge] = child;
        }
      }
    }
  }

  /** Number of logits (prefixes × V). */
  get edges(): number {
    return this.nodes * this.V;
  }

  /** Tokens generated by sequence y, eos included: its last prefix's length + 1 (the denominator of a token mean). */
  stepsOf(y: number): number {
    return this.depth[this.seqNode[y]!]! + 1;
  }

  /** Writes sequence y's tokens (eos included, if it ended with eos) into out[0…); returns how many. */
  tokensOf(y: number, out: Int32Array): number {
    const edge = this.seqEdge[y]!;
    let n = this.seqNode[y]!;
    const count = this.depth[n]! + 1;
    out[count - 1] = edge - n * this.V;
    for (let t = count - 2; t >= 0; t--) {
      out[t] = this.token[n]!;
      n = this.parent[n]!;
    }
    return count;
  }
}
