/*
 * klsim's native kernel, an optional accelerator of FastStepper (src/engine/fast-stepper.ts): n exact
 * SGD or Adam steps at a fixed β, each ONE pass over the vocabulary that fuses the gradient, the
 * update, the softmax with one exp per token and the sums of every metric, then the step's finish.
 * It is the WebAssembly kernel's run_<penalty>_<optimizer> (kernel-wat.mjs) on the same memory, with the same layout,
 * parameter block, rows and stopping rules, so fast-stepper.ts calls either; written with GCC/Clang vector
 * extensions over 8 doubles, which each build target lowers to its widest registers (AVX-512 zmm,
 * AVX2 ymm, NEON). The plain TypeScript (src/core/families/softmax.ts with the registry's entries) is the readable
 * reference; test/engine/fast.test.ts holds this kernel to it at 1e-12 on random instances.
 *
 * Reproducibility: FMA only where written (FMA8; the build passes -ffp-contract=off), eight fixed
 * accumulator lanes reduced in a fixed order, so every x86-64 clone gives the same bits (a CPU
 * without FMA declines the kernel: software fma would be slow). Vocabularies of PARALLEL_MIN tokens
 * and more are cut in two chunks whose sums are added in a fixed order; a helper thread may run the
 * second chunk, and the bits are the same whoever runs it.
 *
 * exp: Cody–Waite reduction x = k·ln2 + r (r carried as hi − lo, as fdlibm), exp(r) = 1 + (hi +
 * (r²·Q(r) − lo)) with Q the WebAssembly kernel's degree-9 minimax polynomial (Horner, with FMA),
 * then ·2^k by adding k to the exponent bits; within 1 ulp of Math.exp (the tests measure it).
 */
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#define HAVE_HELPER 1
#else
#define HAVE_HELPER 0
#endif

/* ---- the memory layout, parameter block, result slots and rows: src/engine/contract.mjs, written
 * out as kernel-layout.h by scripts/build-native.mjs (PARAMS, MASKS, GROUP, OUT_SLOT, P_*, A_*, S_*,
 * R_*, ROW_SLOTS, SHIFT_SLACK, NATIVE_VERSION) ---- */
#include "kernel-layout.h"

typedef double v8d __attribute__((vector_size(64)));
typedef int64_t v8l __attribute__((vector_size(64)));
/* the same vectors at 8-byte alignment, for the caller's memory */
typedef double v8du __attribute__((vector_size(64), aligned(8)));
typedef int64_t v8lu __attribute__((vector_size(64), aligned(8)));

#define SPLAT(x) ((v8d){(x), (x), (x), (x), (x), (x), (x), (x)})
#define LOAD(p) (*(const v8du *)(p))
#define STORE(p, v) (*(v8du *)(p) = (v))
/* a·b + c rounded once, lane by lane (the compiler emits one vfmadd per register) */
#define FMA8(a, b, c)                                                                                   \
  ({                                                                                                   \
    v8d a_ = (a), b_ = (b), c_ = (c), r_;                                                              \
    for (int l_ = 0; l_ < 8; l_++) r_[l_] = __builtin_fma(a_[l_], b_[l_], c_[l_]);                     \
    r_;                                                                                                \
  })
/* √a, lane by lane, correctly rounded (vsqrtpd: the same bits as Math.sqrt) */
#define SQRT8(a)                                                                                        \
  ({                                                                                                   \
    v8d s_ = (a), q_;                                                                                  \
    for (int l_ = 0; l_ < 8; l_++) q_[l_] = __builtin_sqrt(s_[l_]);                                    \
    q_;                                                                                                \
  })
/* a < b ? b : a, lane by lane: WebAssembly's f64x2.pmax (a NaN in b is skipped, as `if (t > max)`) */
#define PMAX8(a, b)                                                                                     \
  ({                                                                                                   \
    v8d a__ = (a), b__ = (b);                                                                          \
    v8l lt__ = (v8l)(a__ < b__);                                                                       \
    (v8d)(((v8l)b__ & lt__) | ((v8l)a__ & ~lt__));                                                     \
  })

/* exp(x) for x ≥ −746 (0 below) and x ≤ 600 where the result is used (the steps stop above 32). */
#define EXP8(x_in, out)                                                                                 \
  do {                                                                                                 \
    const v8d shifter_e = SPLAT(0x18000000000000 + 64.0); /* 1.5·2^52 + 64: k + 64 lands in the low bits */ \
    v8d xc_e = PMAX8((x_in), SPLAT(-746.0));                                                              \
    v8d kd_e = FMA8(xc_e, SPLAT(1.44269504088896338700e00), shifter_e); /* round(x/ln2) + 1.5·2^52 + 64 */      \
    v8d kf_e = kd_e - shifter_e;                                                                             \
    v8d hi_e = FMA8(-kf_e, SPLAT(6.93147180369123816490e-01), xc_e); /* x − k·ln2HI, exact */                  \
    v8d lo_e = kf_e * SPLAT(1.90821492927058770002e-10);                                                   \
    v8d r_e = hi_e - lo_e;                                                                                   \
    v8d y_e = FMA8(r_e, SPLAT(2.50000207895223e-8), SPLAT(2.763030680298044e-7));                           \
    y_e = FMA8(r_e, y_e, SPLAT(2.7557586800370835e-6));                                                      \
    y_e = FMA8(r_e, y_e, SPLAT(2.4801492947987373e-5));                                                      \
    y_e = FMA8(r_e, y_e, SPLAT(0.0001984126950577352));                                                      \
    y_e = FMA8(r_e, y_e, SPLAT(0.0013888888943761658));                                                      \
    y_e = FMA8(r_e, y_e, SPLAT(0.00833333333349498));                                                        \
    y_e = FMA8(r_e, y_e, SPLAT(0.04166666666652972));                                                        \
    y_e = FMA8(r_e, y_e, SPLAT(0.1666666666666641));                                                         \
    y_e = FMA8(r_e, y_e, SPLAT(0.5000000000000011));                                                         \
    y_e = SPLAT(1.0) + (hi_e + FMA8(r_e * r_e, y_e, -lo_e));                                                       \
    /* exp(r)·2^(k + 64) by adding k + 64 to the exponent field (normal for k ≥ −1076), then ·2^−64 */ \
    (out) = (v8d)((v8l)y_e + ((v8l)kd_e << 52)) * SPLAT(0x1p-64);                                          \
  } while (0)

/*
 * One step on the 8 tokens from i; pad lanes (MASKED) get e = 0, θ = 0 and never the max:
 *   π = e·invZ;  g = reverse: π·((r − β·((θ − logZ) − log πref)) − mean) | forward: π·(r − mean) + β·(πref − π)
 *   SGD: θ ← θ + lr·g;  Adam (Kingma & Ba 2015, Alg. 1, as src/core/optimizers.ts writes it):
 *     m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + ((1 − β₂)·g)·g;  θ ← θ + (lr·(m·c1)) / (√(v·c2) + ε)
 *   s = θ − M;  e = exp(s);  Σe, Σe·r, Σe·g, Σe·s, Σe·(s − log πref), Σπref·(log πref − s)
 * (A pad lane's g is 0, so its moments stay 0.)
 */
/* The formulas above, on one vector (8 tokens of a run, or a token of 8 runs), shared by the
 * one-run chunks and the block's passes. The gradient g: */
#define TOKEN_GRADIENT(pi, th, r, lr, rf, beta, logZ, mean)                                             \
  (FORWARD ? FMA8((pi), (r) - (mean), (beta) * ((rf) - (pi))) : (pi) * (((r) - (beta) * (((th) - (logZ)) - (lr))) - (mean)))
/* th ← θ after the update by g; Adam's moments at mP and vP (rate, b1, b2, oneB1, oneB2, c1, c2, eps in scope) */
#define TOKEN_UPDATE(th, g, mP, vP)                                                                     \
  do {                                                                                                 \
    if (ADAM) {                                                                                        \
      v8d mo_ = b1 * LOAD(mP) + oneB1 * (g);                                                           \
      v8d ve_ = b2 * LOAD(vP) + (oneB2 * (g)) * (g);                                                   \
      STORE(mP, mo_);                                                                                  \
      STORE(vP, ve_);                                                                                  \
      (th) = (th) + (rate * (mo_ * c1)) / (SQRT8(ve_ * c2) + eps);                                     \
    } else {                                                                                           \
      (th) = FMA8(rate, (g), (th));                                                                    \
    }                                                                                                  \
  } while (0)
/* the step's sums of e = x and s = sh (the gold reward `gv` read only with GOLD) */
#define TOKEN_SUMS(x, sh, r, lr, rf, gv, z, sR, sG, sS, sLR, sRef)                                      \
  do {                                                                                                 \
    (z) = (z) + (x);                                                                                   \
    (sR) = FMA8((x), (r), (sR));                                                                       \
    if (GOLD) (sG) = FMA8((x), (gv), (sG));                                                            \
    (sS) = FMA8((x), (sh), (sS));                                                                      \
    (sLR) = FMA8((x), (sh) - (lr), (sLR));                                                             \
    (sRef) = FMA8((rf), (lr) - (sh), (sRef));                                                          \
  } while (0)

/* A step in two passes over the chunk (the same operations per token, the sums in the same order):
 * the gradient and the update of every group, then the exp and the sums of every group. One pass
 * did both, but then one token's chain — update, Adam's √ and division, the exp polynomial — was
 * longer than the core's reorder window could overlap. */
#define GROUP_UPDATE(i, MASKED)                                                                         \
  do {                                                                                                 \
    v8d th = LOAD(theta + (i)), r = LOAD(reward + (i)), lr = LOAD(logRef + (i)), rf = LOAD(ref + (i));  \
    v8d pi = LOAD(e + (i)) * invZ;                                                                     \
    v8d g = TOKEN_GRADIENT(pi, th, r, lr, rf, beta, logZ, mean);                                       \
    if (GRAD) STORE(grad + (i), g);                                                                    \
    TOKEN_UPDATE(th, g, am + (i), av + (i));                                                           \
    if (MASKED) th = (v8d)((v8l)th & mask);                                                            \
    STORE(theta + (i), th);                                                                            \
  } while (0)
#define GROUP_SUMS(i, MASKED)                                                                           \
  do {                                                                                                 \
    v8d th = LOAD(theta + (i)), r = LOAD(reward + (i)), lr = LOAD(logRef + (i)), rf = LOAD(ref + (i));  \
    max = PMAX8(max, (MASKED) ? (v8d)(((v8l)th & mask) | ((v8l)SPLAT(-INFINITY) & ~mask)) : th);       \
    v8d sh = th - M, x;                                                                                \
    EXP8(sh, x);                                                                                       \
    if (MASKED) x = (v8d)((v8l)x & mask);                                                              \
    STORE(e + (i), x);                                                                                 \
    TOKEN_SUMS(x, sh, r, lr, rf, LOAD(gold + (i)), z, sR, sG, sS, sLR, sRef);                          \
  } while (0)

/* the eight lanes of an accumulator (or eight accumulators, lane by lane), in a fixed order */
#define REDUCE(v) ((((v)[0] + (v)[1]) + ((v)[2] + (v)[3])) + (((v)[4] + (v)[5]) + ((v)[6] + (v)[7])))

/*
 * One step over groups [start, start + count) and, if `tail`, the vocabulary's partial last group;
 * the sums and max θ go to `out`, and ∇J to `grad` if GRAD. One function per (optimiser, penalty,
 * gold, GRAD) so that all are constants.
 */
#define CHUNK_FUNCTION(name, adam_, forward_, gold_, grad_)                                             \
  static inline __attribute__((always_inline)) void name(uint8_t *mem, int64_t start, int64_t count, int tail, double *out) { \
    enum { ADAM = (adam_), FORWARD = (forward_), GOLD = (gold_), GRAD = (grad_) };                     \
    const double *p = (const double *)(mem + PARAMS);                                                  \
    const int32_t *a = (const int32_t *)(mem + INTS);                                                  \
    double *theta = (double *)(mem + a[A_THETA]), *e = (double *)(mem + a[A_E]);                       \
    double *grad = (double *)(mem + a[A_GRAD]);                                                        \
    const double *reward = (const double *)(mem + a[A_REWARD]), *gold = (const double *)(mem + a[A_GOLD]); \
    const double *ref = (const double *)(mem + a[A_REF]), *logRef = (const double *)(mem + a[A_LOG_REF]); \
    const v8d invZ = SPLAT(p[P_INV_Z]), logZ = SPLAT(p[P_LOG_Z]), mean = SPLAT(p[P_MEAN]);               \
    const v8d beta = SPLAT(p[P_BETA]), M = SPLAT(p[P_M]), rate = SPLAT(p[P_RATE]);                     \
    double *am = (double *)(mem + a[A_AM]), *av = (double *)(mem + a[A_AV]);                           \
    const v8d b1 = SPLAT(p[P_B1]), b2 = SPLAT(p[P_B2]), oneB1 = SPLAT(1 - p[P_B1]), oneB2 = SPLAT(1 - p[P_B2]); \
    const v8d c1 = SPLAT(p[P_C1]), c2 = SPLAT(p[P_C2]), eps = SPLAT(p[P_EPS]);                          \
    (void)am, (void)av, (void)b1, (void)b2, (void)oneB1, (void)oneB2, (void)c1, (void)c2, (void)eps;    \
    const v8l mask = *(const v8lu *)(mem + MASKS); /* all ones for a real token of the last group */   \
    v8d z = SPLAT(0.0), sR = z, sG = z, sS = z, sLR = z, sRef = z, max = SPLAT(-INFINITY);              \
    (void)gold;                                                                                        \
    const int64_t end = (start + count) * GROUP;                                                       \
    for (int64_t i = start * GROUP; i < end; i += GROUP) GROUP_UPDATE(i, 0);                           \
    if (tail) GROUP_UPDATE(end, 1);                                                                    \
    for (int64_t i = start * GROUP; i < end; i += GROUP) GROUP_SUMS(i, 0);                             \
    if (tail) GROUP_SUMS(end, 1);                                                                      \
    out[S_Z] = REDUCE(z);                                                                              \
    out[S_R] = REDUCE(sR);                                                                             \
    out[S_G] = GOLD ? REDUCE(sG) : out[S_R]; /* without a gold reward, gold = reward */                \
    out[S_S] = REDUCE(sS);                                                                             \
    out[S_LR] = REDUCE(sLR);                                                                           \
    out[S_REF] = REDUCE(sRef);                                                                         \
    double m = max[0];                                                                                 \
    for (int l = 1; l < 8; l++) m = m < max[l] ? max[l] : m;                                           \
    out[S_MAX] = m;                                                                                    \
  }

/* x86-64: a clone per level, picked at load time (the same arithmetic in each); -DKLSIM_TARGET=\"arch=…\"
 * builds one level only (the tests compare the levels' bits) */
#if defined(KLSIM_TARGET)
#define CLONES __attribute__((target(KLSIM_TARGET)))
#elif defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CLONES
#endif

/* Every (optimiser, penalty, gold reward) the kernels take, as kind = adam·4 + forward·2 + gold, in kind order. */
#define KINDS(X)                                                                                        \
  X(0, reverse_sgd, 0, 0, 0)                                                                           \
  X(1, reverse_gold_sgd, 0, 0, 1)                                                                      \
  X(2, forward_sgd, 0, 1, 0)                                                                           \
  X(3, forward_gold_sgd, 0, 1, 1)                                                                      \
  X(4, reverse_adam, 1, 0, 0)                                                                          \
  X(5, reverse_gold_adam, 1, 0, 1)                                                                     \
  X(6, forward_adam, 1, 1, 0)                                                                          \
  X(7, forward_gold_adam, 1, 1, 1)

typedef void (*ChunkFunction)(uint8_t *, int64_t, int64_t, int, double *);

/* A chunk function per kind, with ∇J written and without, and a wrapper of each that is cloned (with the loop inlined). */
#define CHUNK_KIND(k, name, adam, forward, gold)                                                        \
  CHUNK_FUNCTION(chunk_##name, adam, forward, gold, 1)                                                 \
  CHUNK_FUNCTION(chunk_##name##_no_grad, adam, forward, gold, 0)                                       \
  CLONES static void chunk_kind##k(uint8_t *m, int64_t s, int64_t c, int t, double *o) { chunk_##name(m, s, c, t, o); } \
  CLONES static void chunk_no_grad_kind##k(uint8_t *m, int64_t s, int64_t c, int t, double *o) { chunk_##name##_no_grad(m, s, c, t, o); }
KINDS(CHUNK_KIND)
#define CHUNK_ENTRY(k, name, adam, forward, gold) chunk_kind##k,
#define CHUNK_NO_GRAD_ENTRY(k, name, adam, forward, gold) chunk_no_grad_kind##k,
/* CHUNKS[kind] writes ∇J, CHUNKS[kind + NO_GRAD] does not: a run of steps writes it at its last
 * step only (nothing reads the others'; at V = 65 536 the store was ~10% of a step, one thread) */
enum { NO_GRAD = 8 };
static const ChunkFunction CHUNKS[16] = {KINDS(CHUNK_ENTRY) KINDS(CHUNK_NO_GRAD_ENTRY)};

/* ---- the helper thread (Linux): runs chunk 1 of a step while the caller runs chunk 0 ----
 *
 *   caller: write the job; claim = g (open); gen = g (wake the helper if it sleeps); run chunk 0;
 *           then CAS(claim, g → 0): if that wins, the helper has not taken job g: run chunk 1 too;
 *           otherwise wait for done = g.
 *   helper: spin (then sleep) until gen changes to some g; CAS(claim, g → 0); if that wins, run
 *           chunk 1 and set done = g.
 * So the caller never waits for a helper that is asleep or descheduled, only for one computing; and
 * each chunk has its own result slot, added in a fixed order: the bits do not depend on who ran it.
 */
typedef struct {
  _Atomic int32_t gen, claim, done, sleeping, stop;
  /* the job (written before claim and gen are released) */
  uint8_t *mem;
  int kind, tail;
  int64_t start, count;
  double *out;
#if HAVE_HELPER
  pthread_t thread;
#endif
  int started;
  /* jobs the helper ran, for the tests */
  _Atomic int64_t jobs;
} Helper;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

/* how long the helper spins for the next job before it sleeps: longer than the gap between two
 * run() calls of one batch of steps (the caller's handling of the rows), shorter than a frame */
#define HELPER_SPIN_NS 300000

#if HAVE_HELPER
static void futex_wait(_Atomic int32_t *word, int32_t value) { syscall(SYS_futex, (int32_t *)word, FUTEX_WAIT_PRIVATE, value, NULL, NULL, 0); }
static void futex_wake(_Atomic int32_t *word) { syscall(SYS_futex, (int32_t *)word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *helper_main(void *arg) {
  Helper *h = arg;
  int32_t seen = 0;
  for (;;) {
    int32_t gen = atomic_load_explicit(&h->gen, memory_order_acquire);
    const int64_t until = gen == seen ? now_ns() + HELPER_SPIN_NS : 0;
    for (int k = 1; gen == seen; k++) {
      cpu_relax();
      gen = atomic_load_explicit(&h->gen, memory_order_acquire);
      if (k % 256 == 0 && now_ns() > until) break;
    }
    if (gen == seen) {
      atomic_store(&h->sleeping, 1);
      if (atomic_load(&h->gen) == seen) futex_wait(&h->gen, seen);
      atomic_store(&h->sleeping, 0);
      continue;
    }
    seen = gen;
    if (atomic_load(&h->stop)) return NULL;
    int32_t expected = gen;
    if (!atomic_compare_exchange_strong(&h->claim, &expected, 0)) continue; /* taken back, or a newer job */
    CHUNKS[h->kind](h->mem, h->start, h->count, h->tail, h->out);
    atomic_fetch_add_explicit(&h->jobs, 1, memory_order_relaxed);
    atomic_store_explicit(&h->done, gen, memory_order_release);
  }
}

/* Offers chunk 1 to the helper (started on first use); returns the job's generation, or 0 if there is no helper. */
static int32_t helper_offer(Helper *h, uint8_t *mem, int kind, int64_t start, int64_t count, int tail, double *out) {
  if (!h->started) {
    if (pthread_create(&h->thread, NULL, helper_main, h) != 0) return 0;
    h->started = 1;
  }
  h->mem = mem;
  h->kind = kind;
  h->start = start;
  h->count = count;
  h->tail = tail;
  h->out = out;
  int32_t gen = atomic_load(&h->gen) + 1;
  if (gen <= 0) gen = 1; /* never 0: claim = 0 means "no open job" */
  atomic_store_explicit(&h->claim, gen, memory_order_release);
  atomic_store_explicit(&h->gen, gen, memory_order_release);
  if (atomic_load(&h->sleeping)) futex_wake(&h->gen);
  return gen;
}

static void helper_stop(Helper *h) {
  if (!h->started) return;
  atomic_store(&h->stop, 1);
  atomic_fetch_add(&h->gen, 1);
  futex_wake(&h->gen);
  pthread_join(h->thread, NULL);
  h->started = 0;
}
#endif

/* True if the caller took job `gen` back (the helper had not claimed it). */
static int helper_take_back(Helper *h, int32_t gen) {
  int32_t expected = gen;
  return atomic_compare_exchange_strong(&h->claim, &expected, 0);
}

static void helper_await(Helper *h, int32_t gen) {
  while (atomic_load_explicit(&h->done, memory_order_acquire) != gen) cpu_relax();
}

static inline int is_finite(double x) { return fabs(x) < INFINITY; }

/*
 * n SGD or Adam steps at a fixed β: kernel-wat.mjs runFunction. Adam's bias corrections of step t
 * are entry t of `bias` (contract.mjs BIAS), which the caller fills from the optimiser's tick(). Groups [0, split) are chunk 0 and
 * [split, groups) with the tail chunk 1 (split = groups: one chunk); chunk 1's sums are added to
 * chunk 0's slot in a fixed order. Each step is finished as evaluatePolicy does and its metrics
 * written to a row; stops after a step whose max θ moved more than SHIFT_SLACK from the shift or
 * whose metrics are not all finite, with its θ applied, its sums in slot 0 and no row. ∇J is
 * written at step n − 1 only (what FastStepper's grad shows after a run; a step handed back
 * earlier leaves it as it was). Returns the rows written.
 */
static int run_steps(uint8_t *mem, int forward, int gold, int adam, int n, double *rows, const double *bias, int64_t groups, int64_t split, int tail,
                     double *out, Helper *helper, int always) {
  double *p = (double *)(mem + PARAMS);
  const int kind = adam * 4 + forward * 2 + gold;
  const int chunked = split < groups;
  double *out1 = out + OUT_SLOT / 8;
  const double beta = p[P_BETA];
  int t = 0;
  for (; t < n; t++) {
    const double M = p[P_M];
    const int step_kind = t == n - 1 ? kind : kind + NO_GRAD; /* ∇J written at the last step only */
    const ChunkFunction chunk = CHUNKS[step_kind];
    if (adam) {
      p[P_C1] = bias[(int64_t)t * BIAS_SLOTS + B_C1];
      p[P_C2] = bias[(int64_t)t * BIAS_SLOTS + B_C2];
    }
    if (!chunked) {
      chunk(mem, 0, groups, tail, out);
    } else {
      int32_t gen = 0;
#if HAVE_HELPER
      if (helper) gen = helper_offer(helper, mem, step_kind, split, groups - split, tail, out1);
#endif
      chunk(mem, 0, split, 0, out);
      if (gen == 0 || (!always && helper_take_back(helper, gen))) chunk(mem, split, groups - split, tail, out1);
      else helper_await(helper, gen);
      for (int j = 0; j < S_MAX; j++) out[j] = out[j] + out1[j];
      const double a = out[S_MAX], b = out1[S_MAX];
      out[S_MAX] = a != a || b != b ? NAN : (a < b ? b : a); /* Math.max */
    }
    const double max = out[S_MAX];
    if (!(fabs(max - M) <= SHIFT_SLACK)) break;
    const double z = out[S_Z];
    const double invZ = 1 / z;
    const double lz = log(z);
    const double reward = out[S_R] * invZ;
    const double goldReward = out[S_G] * invZ;
    const double rkl = out[S_LR] * invZ - lz;
    const double fkl = out[S_REF] + lz;
    const double ent = lz - out[S_S] * invZ;
    const double kl = forward ? fkl : rkl;
    const double klClamped = kl != kl ? kl : (kl < 0 ? 0 : kl);
    if (!(is_finite(reward) && is_finite(rkl) && is_finite(fkl) && is_finite(ent) && is_finite(goldReward) && is_finite(reward - beta * klClamped))) break;
    double *row = rows + (int64_t)t * ROW_SLOTS;
    row[R_REWARD] = reward;
    row[R_GOLD] = goldReward;
    row[R_REVERSE_KL] = rkl;
    row[R_FORWARD_KL] = fkl;
    row[R_ENTROPY] = ent;
    row[R_LOG_Z] = M + lz;
    row[R_MAX_THETA] = max;
    row[R_INV_Z] = invZ;
    /* the next step's parameters */
    p[P_INV_Z] = invZ;
    p[P_LOG_Z] = M + lz;
    p[P_MEAN] = forward ? reward : reward - beta * rkl;
    p[P_M] = max;
  }
  return t;
}

/* ---- a block of runs stepped together (a sweep's β): lane = run ----
 *
 * K runs of one problem at K fixed β (K a multiple of 8), each exactly as run_steps steps it alone:
 * token i's terms go to accumulator slot i mod 8 of its run, as to lane i mod 8 of the single
 * kernel's accumulators, the slots are reduced in REDUCE's order and, from PARALLEL_MIN tokens on,
 * the two chunks' sums added as run_steps adds them, so every clean run gets the bits of its
 * separate run. Vectors hold 8 runs instead of 8 tokens: at
 * V = 16 a single run's step is mostly its fixed cost (reductions, one log, the row), here shared
 * out over 8 runs (the batched numpy's layout, β along one axis).
 *
 * A run whose step the single kernel would hand back (max θ moved more than SHIFT_SLACK, a value
 * not finite) or whose objective falls below `floor` (sim/instability.ts watches it) is marked
 * dirty and left: the caller runs it again on its own. Arrays:
 *   lanes: [block of 8 runs][slot][run in block] (slots: β, invZ, logZ, mean, M, dirty, then the last
 *     step's ROW), each block LANE_STRIDE apart
 *   tokens: θ, e (m, v), each [block][token][run in block], each block TOKEN_STRIDE(V) apart: a block's
 *     tokens are read in order by its pass, and the gap (BLOCK_GAP) keeps two threads' blocks off each
 *     other's cache lines (run-minor rows, 16 runs wide, made two threads take 5× as long)
 *   problem: reward, gold, ref, log πref, each V
 */

/* A block of 8 runs' stretch in each token array (its V tokens × 8 runs, then a gap) and in the lanes. */
#define TOKEN_STRIDE(V) ((int64_t)(V) * 8 + BLOCK_GAP)
#define LANE_STRIDE (LANE_SLOTS * 8 + BLOCK_GAP)

/* |a| and "a is finite" (|a| < ∞, false for NaN), lane by lane, as masks where a comparison */
#define ABS_MASK ((v8l){INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX, INT64_MAX})
#define ABS8(a) ((v8d)((v8l)(a) & ABS_MASK))
#define FINITE8(a) ((v8l)(ABS8(a) < SPLAT(INFINITY)))


/* ---- Node-API binding (left out with -DKLSIM_NO_NODE: the kernel alone, for profiling in C) ---- */
#ifndef KLSIM_NO_NODE
#include <node_api.h>

typedef struct {
  Helper helper;
} Instance;

static void instance_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Instance *instance = data;
#if HAVE_HELPER
  helper_stop(&instance->helper);
#endif
  free(instance);
}

static napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

/* The arguments' int32 values; false (with a TypeError thrown) if one is not a number. */
static int int_args(napi_env env, napi_value *argv, size_t from, size_t to, int32_t *values) {
  for (size_t k = from; k < to; k++) {
    if (napi_get_value_int32(env, argv[k], &values[k]) != napi_ok) {
      throw_type(env, "klsim native kernel: expected a number");
      return 0;
    }
  }
  return 1;
}

/*
 * run(memory, forward, gold, optimizer, n, rows, bias, groups, split, tail, out, helper) → rows written.
 * memory: a Uint8Array over the whole kernel memory; rows, bias and out: byte offsets in it (as for the
 * WebAssembly run functions; bias is read for Adam only); optimizer: contract.mjs KERNEL_OPTIMIZERS code;
 * helper: 1 to let the helper thread take chunk 1, 2 to have it take every chunk 1 while the caller
 * waits (for the tests: then the helper certainly runs).
 */
#define RUN_ARGS 12
static napi_value js_run(napi_env env, napi_callback_info info) {
  size_t argc = RUN_ARGS;
  napi_value argv[RUN_ARGS];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != RUN_ARGS) return throw_type(env, "klsim native kernel: run takes 12 arguments");
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array || !data)
    return throw_type(env, "klsim native kernel: memory must be a Uint8Array");
  int32_t v[RUN_ARGS];
  if (!int_args(env, argv, 1, RUN_ARGS, v)) return NULL;
  const int32_t forward = v[1], gold = v[2], optimizer = v[3], n = v[4], rows = v[5], bias = v[6], groups = v[7], split = v[8], tail = v[9],
                out = v[10], wantHelper = v[11];
  const int adam = optimizer == OPTIMIZER_ADAM;
  /* everything this call touches lies within the memory: rows, bias corrections, result slots, and
   * the arrays at the offsets of the parameter block, each (groups + tail) groups long */
  int in_range = n >= 0 && groups >= 0 && split >= 0 && split <= groups && rows >= 0 && out >= 0 && bias >= 0 &&
                 (optimizer == OPTIMIZER_SGD || adam) && length >= INTS + 4 * (A_AV + 1) && (size_t)rows + (size_t)n * ROW_SLOTS * 8 <= length &&
                 (!adam || (size_t)bias + (size_t)n * BIAS_SLOTS * 8 <= length) && (size_t)out + 2 * OUT_SLOT <= length;
  const int32_t *arrays = (const int32_t *)((uint8_t *)data + INTS);
  for (int k = A_THETA; in_range && k <= A_AV; k++)
    in_range = arrays[k] >= 0 && (size_t)arrays[k] + ((size_t)groups + (tail != 0)) * GROUP * 8 <= length;
  if (!in_range) return throw_type(env, "klsim native kernel: offsets out of range");
  Instance *instance = NULL;
  napi_get_instance_data(env, (void **)&instance);
  Helper *helper = wantHelper && HAVE_HELPER && instance ? &instance->helper : NULL;
  uint8_t *mem = data;
  int done = run_steps(mem, forward != 0, gold != 0, adam, n, (double *)(mem + rows), (const double *)(mem + bias), groups, split, tail != 0,
                       (double *)(mem + out), helper, wantHelper == 2);
  napi_value result;
  napi_create_int32(env, done, &result);
  return result;
}

/* out ← exp(x) over n elements (a multiple of 8), in the widest registers (a clone per level, as the
 * steps); returns Σ out, eight lanes reduced in the fixed order */
CLONES static double exp_array(const double *x, double *out, size_t n) {
  v8d total = SPLAT(0.0);
  for (size_t i = 0; i < n; i += 8) {
    v8d r;
    EXP8(LOAD(x + i), r);
    STORE(out + i, r);
    total = total + r;
  }
  return REDUCE(total);
}

/* A Float64Array argument's data and length; false (with a TypeError thrown) if it is not one. */
static int f64_arg(napi_env env, napi_value value, double **data, size_t *length) {
  napi_typedarray_type type;
  void *p;
  if (napi_get_typedarray_info(env, value, &type, length, &p, NULL, NULL) != napi_ok || type != napi_float64_array || (!p && *length)) {
    throw_type(env, "klsim native kernel: expected a Float64Array");
    return 0;
  }
  *data = p;
  return 1;
}

/* What every pass of one block call reads. */
typedef struct {
  double *lanes, *tokens;
  const double *problem, *bias;
  int64_t V, K;
  int64_t split; /* the first token of chunk 1 (its caller's chunkSplit, contract.mjs), or V: one chunk */
  int n, kind;
  double rate, b1, b2, eps, floor_;
  /* the runs at lanes [K, K + solo), one by one (solo_runs); their θ, e (m, v): V each, run by run */
  int64_t solo;
  double *soloTokens;
} BlockArgs;

/* A chunk's sums for 8 runs, reduced in REDUCE's order: Σe, Σe·r, Σe·g, Σe·s, Σe·(s − log πref), Σπref·(log πref − s), max θ. */
typedef struct {
  v8d v[7];
} BlockSums;

/*
 * Step t of the H blocks of 8 runs at lanes b, b + 8, … on tokens [from, to) (a chunk, as the
 * single kernel cuts it): θ, e and the moments updated, each block's sums of the chunk into out[h].
 * The runs' shift, invZ, logZ and mean are the lanes' (written by block_finish after step t − 1).
 * H = 2 gives the core two blocks' independent work per token (at V = 16 one block's is short).
 */
#define UNROLL_H _Pragma("GCC unroll 2")
#define BLOCK_PASS(name, adam_, forward_, gold_, H)                                                     \
  static inline __attribute__((always_inline)) void name(const BlockArgs *a, int64_t b, int t, int64_t from, int64_t to, BlockSums *out) { \
    enum { ADAM = (adam_), FORWARD = (forward_), GOLD = (gold_) };                                     \
    const int64_t V = a->V, K = a->K;                                                                  \
    const int64_t array = (K / 8) * TOKEN_STRIDE(V); /* one of θ, e, m, v */                          \
    double *theta = a->tokens, *e = a->tokens + array, *am = a->tokens + 2 * array, *av = a->tokens + 3 * array; \
    const double *reward = a->problem, *gold = a->problem + V, *ref = a->problem + 2 * V, *logRef = a->problem + 3 * V; \
    v8d beta[H], invZ[H], logZ[H], mean[H], M[H];                                                      \
    UNROLL_H for (int h = 0; h < H; h++) {                                                             \
      const double *lane = a->lanes + (b / 8 + h) * LANE_STRIDE;                                       \
      beta[h] = LOAD(lane + L_BETA * 8), invZ[h] = LOAD(lane + L_INV_Z * 8), logZ[h] = LOAD(lane + L_LOG_Z * 8); \
      mean[h] = LOAD(lane + L_MEAN * 8), M[h] = LOAD(lane + L_M * 8);                                  \
    }                                                                                                  \
    const v8d rate = SPLAT(a->rate), b1 = SPLAT(a->b1), b2 = SPLAT(a->b2), oneB1 = SPLAT(1 - a->b1), oneB2 = SPLAT(1 - a->b2); \
    const v8d eps = SPLAT(a->eps);                                                                     \
    const v8d c1 = SPLAT(ADAM ? a->bias[2 * t + B_C1] : 0), c2 = SPLAT(ADAM ? a->bias[2 * t + B_C2] : 0); \
    (void)b1, (void)b2, (void)oneB1, (void)oneB2, (void)eps, (void)gold, (void)am, (void)av, (void)c1, (void)c2; \
    v8d z[H][8], sR[H][8], sG[H][8], sS[H][8], sLR[H][8], sRef[H][8], mx[H][8];                        \
    /* the updates first, token by token (the chunks' two passes: see GROUP_UPDATE) */                \
    for (int64_t i = from; i < to; i++) {                                                              \
      const v8d r = SPLAT(reward[i]), lr = SPLAT(logRef[i]), rf = SPLAT(ref[i]);                       \
      UNROLL_H for (int h = 0; h < H; h++) {                                                           \
        const int64_t at = (b / 8 + h) * TOKEN_STRIDE(V) + i * 8;                                      \
        v8d th = LOAD(theta + at);                                                                     \
        v8d pi = LOAD(e + at) * invZ[h];                                                               \
        v8d g = TOKEN_GRADIENT(pi, th, r, lr, rf, beta[h], logZ[h], mean[h]);                          \
        TOKEN_UPDATE(th, g, am + at, av + at);                                                         \
        STORE(theta + at, th);                                                                         \
      }                                                                                                \
    }                                                                                                  \
    /* then the sums slot by slot (tokens from + j, from + j + 8, … in order: the sums' order) */     \
    for (int j = 0; j < 8; j++) {                                                                      \
      v8d zj[H], sRj[H], sGj[H], sSj[H], sLRj[H], sRefj[H], mxj[H];                                    \
      UNROLL_H for (int h = 0; h < H; h++) zj[h] = sRj[h] = sGj[h] = sSj[h] = sLRj[h] = sRefj[h] = SPLAT(0.0), mxj[h] = SPLAT(-INFINITY); \
      for (int64_t i = from + j; i < to; i += 8) {                                                     \
        const v8d r = SPLAT(reward[i]), lr = SPLAT(logRef[i]), rf = SPLAT(ref[i]);                     \
        UNROLL_H for (int h = 0; h < H; h++) {                                                         \
          const int64_t at = (b / 8 + h) * TOKEN_STRIDE(V) + i * 8;                                    \
          const v8d th = LOAD(theta + at);                                                             \
          mxj[h] = PMAX8(mxj[h], th);                                                                  \
          v8d sh = th - M[h], x;                                                                       \
          EXP8(sh, x);                                                                                 \
          STORE(e + at, x);                                                                            \
          TOKEN_SUMS(x, sh, r, lr, rf, SPLAT(gold[i]), zj[h], sRj[h], sGj[h], sSj[h], sLRj[h], sRefj[h]); \
        }                                                                                              \
      }                                                                                                \
      UNROLL_H for (int h = 0; h < H; h++) {                                                           \
        z[h][j] = zj[h], sR[h][j] = sRj[h], sG[h][j] = sGj[h], sS[h][j] = sSj[h];                      \
        sLR[h][j] = sLRj[h], sRef[h][j] = sRefj[h], mx[h][j] = mxj[h];                                 \
      }                                                                                                \
    }                                                                                                  \
    UNROLL_H for (int h = 0; h < H; h++) {                                                             \
      BlockSums *o = out + h;                                                                          \
      o->v[S_Z] = REDUCE(z[h]);                                                                      \
      o->v[S_R] = REDUCE(sR[h]);                                                                     \
      o->v[S_G] = GOLD ? REDUCE(sG[h]) : o->v[S_R];                                                  \
      o->v[S_S] = REDUCE(sS[h]);                                                                     \
      o->v[S_LR] = REDUCE(sLR[h]);                                                                   \
      o->v[S_REF] = REDUCE(sRef[h]);                                                                 \
      v8d m = mx[h][0];                                                                                \
      for (int k = 1; k < 8; k++) m = PMAX8(m, mx[h][k]); /* the chunks' m < max[l] ? max[l] : m */    \
      o->v[S_MAX] = m;                                                                                 \
    }                                                                                                  \
  }


typedef void (*BlockPass)(const BlockArgs *, int64_t, int, int64_t, int64_t, BlockSums *);
/* a pass per kind, cloned as the chunks are */
#define PASS_KIND(k, name, adam, forward, gold)                                                         \
  BLOCK_PASS(pass_##name, adam, forward, gold, 1)                                                      \
  BLOCK_PASS(pass2_##name, adam, forward, gold, 2)                                                     \
  CLONES static void pass_kind##k(const BlockArgs *a, int64_t b, int t, int64_t f, int64_t u, BlockSums *o) { pass_##name(a, b, t, f, u, o); } \
  CLONES static void pass2_kind##k(const BlockArgs *a, int64_t b, int t, int64_t f, int64_t u, BlockSums *o) { pass2_##name(a, b, t, f, u, o); }
KINDS(PASS_KIND)
#define PASS_ENTRY(k, name, adam, forward, gold) pass_kind##k,
#define PASS2_ENTRY(k, name, adam, forward, gold) pass2_kind##k,
static const BlockPass PASSES[8] = {KINDS(PASS_ENTRY)};
/* two blocks at once (lanes b and b + 8) */
static const BlockPass PASSES2[8] = {KINDS(PASS2_ENTRY)};

/* chunk 0's sums ← chunk 0's + chunk 1's, added as run_steps adds them; the max as Math.max (NaN if either is) */
static inline __attribute__((always_inline)) void add_chunk(BlockSums *s, const BlockSums *c) {
  for (int k = 0; k < S_MAX; k++) s->v[k] = s->v[k] + c->v[k];
  const v8d x = s->v[S_MAX], y = c->v[S_MAX];
  const v8l nan = (v8l)(x != x) | (v8l)(y != y);
  const v8d m = PMAX8(x, y);
  s->v[S_MAX] = (v8d)(((v8l)SPLAT(NAN) & nan) | ((v8l)m & ~nan));
}

/*
 * The end of step t for the 8 runs at lane b, as run_steps finishes a step: the metrics from the
 * sums, the next step's invZ, logZ, mean and shift; a run is dirty if the single kernel would hand
 * this step back (the shift's slack, a metric not finite) or its objective, as the instability
 * watch reads it (the row's penalty value, unclamped), is below the floor; the row after the last step.
 */
CLONES static void block_finish(const BlockArgs *a, int64_t b, int t, const BlockSums *s, int forward) {
  /* the logs first, with nothing else live across the calls (each would spill every vector register) */
  double logs[8];
  for (int l = 0; l < 8; l++) logs[l] = log(s->v[S_Z][l]);
  const v8d lz = LOAD(logs);
  double *lane = a->lanes + (b / 8) * LANE_STRIDE;
  const v8d beta = LOAD(lane + L_BETA * 8), M = LOAD(lane + L_M * 8);
  const v8d Z = s->v[S_Z], MAX = s->v[S_MAX];
  const v8d iz = SPLAT(1.0) / Z;
  const v8d rew = s->v[S_R] * iz, gr = s->v[S_G] * iz, rkl = s->v[S_LR] * iz - lz, fkl = s->v[S_REF] + lz, ent = lz - s->v[S_S] * iz;
  const v8d kl = forward ? fkl : rkl;
  const v8l zeroBeta = (v8l)(beta == SPLAT(0.0));
  const v8d obj = (v8d)(((v8l)rew & zeroBeta) | ((v8l)(rew - beta * kl) & ~zeroBeta));
  const v8d klc = (v8d)((v8l)kl & ~(v8l)(kl < SPLAT(0.0))); /* NaN stays NaN, < 0 becomes +0 */
  const v8l ok = (v8l)(ABS8(MAX - M) <= SPLAT(SHIFT_SLACK)) & FINITE8(rew) & FINITE8(rkl) & FINITE8(fkl) & FINITE8(ent) & FINITE8(gr) &
                 FINITE8(rew - beta * klc) & ~(v8l)(obj < SPLAT(a->floor_));
  const v8d dirty = LOAD(lane + L_DIRTY * 8);
  STORE(lane + L_DIRTY * 8, (v8d)(((v8l)SPLAT(1.0) & ~ok) | ((v8l)dirty & ok)));
  if (t == a->n - 1) {
    STORE(lane + (L_ROW + R_REWARD) * 8, rew);
    STORE(lane + (L_ROW + R_GOLD) * 8, gr);
    STORE(lane + (L_ROW + R_REVERSE_KL) * 8, rkl);
    STORE(lane + (L_ROW + R_FORWARD_KL) * 8, fkl);
    STORE(lane + (L_ROW + R_ENTROPY) * 8, ent);
    STORE(lane + (L_ROW + R_LOG_Z) * 8, M + lz);
    STORE(lane + (L_ROW + R_MAX_THETA) * 8, MAX);
    STORE(lane + (L_ROW + R_INV_Z) * 8, iz);
  }
  STORE(lane + L_INV_Z * 8, iz);
  STORE(lane + L_LOG_Z * 8, M + lz);
  STORE(lane + L_MEAN * 8, forward ? rew : rew - beta * rkl);
  STORE(lane + L_M * 8, MAX);
}

/* How many blocks of 8 (from lane b, up to lane `to`) one pass takes: two while two are left. Every
 * walker over blocks (block_runs, and both threads of block_pair) takes them this way, so they agree. */
static inline int blocks_a_pass(int64_t b, int64_t to) { return b + 16 <= to ? 2 : 1; }

/* The pass that takes h blocks of this kind. */
static inline BlockPass pass_of(int kind, int h) { return h == 2 ? PASSES2[kind] : PASSES[kind]; }

/* Every step of the blocks of 8 runs at lanes [from, to), one block after another. */
static void block_runs(const BlockArgs *a, int64_t from, int64_t to) {
  const int forward = (a->kind >> 1) & 1;
  const int64_t split = a->split;
  for (int64_t b = from; b < to;) {
    const int h = blocks_a_pass(b, to);
    const BlockPass pass = pass_of(a->kind, h);
    for (int t = 0; t < a->n; t++) {
      BlockSums s[2], c[2];
      pass(a, b, t, 0, split, s);
      if (split < a->V) {
        pass(a, b, t, split, a->V, c);
        for (int k = 0; k < h; k++) add_chunk(&s[k], &c[k]);
      }
      for (int k = 0; k < h; k++) block_finish(a, b + 8 * k, t, &s[k], forward);
    }
    b += 8 * h;
  }
}

/*
 * ---- runs past the blocks, one by one (a sweep's last few β from PARALLEL_MIN tokens, where 8
 * lanes for a few runs cost more than the runs alone) ----
 * Each is run_steps on a one-run memory of its own, laid out as FastStepper lays out its memory
 * (contract.mjs LAYOUT: the parameter block, the arrays' offsets, the last group's masks), so it
 * takes exactly its separate run's steps, both chunks on this thread. Its state lives between calls
 * in its lanes (invZ, logZ, mean, shift, dirty, the last row) and in soloTokens (θ, e, m, v); it is
 * dirty where the block would mark it: a step handed back (run_steps stops) or an objective below
 * the floor. SOLO_STEPS: run_steps calls of this many steps at most (the memory's rows).
 */
enum { SOLO_STEPS = 256, SOLO_ARRAYS_AT = 1024 };

typedef struct {
  uint8_t *mem;
  double *arrays[A_AV + 1];
  double *rows;
} SoloMemory;

/* A one-run memory with the problem's vectors (pads 0); false if it cannot be allocated. */
static int solo_memory(SoloMemory *m, const BlockArgs *a) {
  const int64_t V = a->V, padded = (V + GROUP - 1) / GROUP * GROUP;
  const size_t bytes = SOLO_ARRAYS_AT + (size_t)(A_AV + 1) * padded * 8 + (size_t)SOLO_STEPS * ROW_SLOTS * 8;
  m->mem = aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (!m->mem) return 0;
  memset(m->mem, 0, bytes);
  int32_t *ints = (int32_t *)(m->mem + INTS);
  for (int k = 0; k <= A_AV; k++) {
    ints[k] = (int32_t)(SOLO_ARRAYS_AT + (size_t)k * padded * 8);
    m->arrays[k] = (double *)(m->mem + ints[k]);
  }
  m->rows = (double *)(m->mem + SOLO_ARRAYS_AT + (size_t)(A_AV + 1) * padded * 8);
  int64_t *masks = (int64_t *)(m->mem + MASKS);
  for (int l = 0; l < GROUP; l++) masks[l] = V / GROUP * GROUP + l < V ? -1 : 0;
  memcpy(m->arrays[A_REWARD], a->problem, V * 8);
  memcpy(m->arrays[A_GOLD], a->problem + V, V * 8);
  memcpy(m->arrays[A_REF], a->problem + 2 * V, V * 8);
  memcpy(m->arrays[A_LOG_REF], a->problem + 3 * V, V * 8);
  double *p = (double *)(m->mem + PARAMS);
  p[P_RATE] = a->rate, p[P_B1] = a->b1, p[P_B2] = a->b2, p[P_EPS] = a->eps;
  return 1;
}

/* Solo run j's slot 0 in the lanes (slot s is 8 further on per slot: [block][slot][run in block]). */
static inline double *solo_lanes(const BlockArgs *a, int64_t j) {
  const int64_t lane = a->K + j;
  return a->lanes + (lane / 8) * LANE_STRIDE + lane % 8;
}

/* The a->n steps of solo run j in memory m. */
static void solo_run(const BlockArgs *a, SoloMemory *m, int64_t j) {
  const int64_t V = a->V, groups = V / GROUP;
  const int adam = a->kind >= 4, forward = (a->kind >> 1) & 1, gold = a->kind & 1, count = adam ? 4 : 2;
  double *lanes = solo_lanes(a, j);
#define SOLO_LANE(slot) lanes[(slot) * 8]
  if (SOLO_LANE(L_DIRTY) != 0) return;
  double *state = a->soloTokens + j * count * V;
  const int which[4] = {A_THETA, A_E, A_AM, A_AV};
  for (int k = 0; k < count; k++) memcpy(m->arrays[which[k]], state + k * V, V * 8);
  double *p = (double *)(m->mem + PARAMS);
  const double beta = SOLO_LANE(L_BETA);
  p[P_BETA] = beta, p[P_INV_Z] = SOLO_LANE(L_INV_Z), p[P_LOG_Z] = SOLO_LANE(L_LOG_Z), p[P_MEAN] = SOLO_LANE(L_MEAN), p[P_M] = SOLO_LANE(L_M);
  double out[2 * OUT_SLOT / 8] __attribute__((aligned(64)));
  const int64_t split = a->split < V ? a->split / GROUP : groups;
  int dirty = 0, last = -1;
  for (int done = 0; done < a->n && !dirty;) {
    const int steps = a->n - done < SOLO_STEPS ? a->n - done : SOLO_STEPS;
    const int ran = run_steps(m->mem, forward, gold, adam, steps, m->rows, a->bias + (int64_t)done * BIAS_SLOTS, groups, split, V % GROUP != 0, out, NULL, 0);
    for (int t = 0; t < ran && !dirty; t++) {
      /* the objective as block_finish reads it (the row's penalty value, unclamped) */
      const double *row = m->rows + (int64_t)t * ROW_SLOTS, rew = row[R_REWARD];
      const double obj = beta == 0 ? rew : rew - beta * (forward ? row[R_FORWARD_KL] : row[R_REVERSE_KL]);
      dirty = obj < a->floor_;
    }
    dirty = dirty || ran < steps;
    last = ran - 1;
    done += steps;
  }
  if (dirty) {
    SOLO_LANE(L_DIRTY) = 1;
    return;
  }
  if (last >= 0)
    for (int k = 0; k < ROW_SLOTS; k++) SOLO_LANE(L_ROW + k) = m->rows[(int64_t)last * ROW_SLOTS + k];
  SOLO_LANE(L_INV_Z) = p[P_INV_Z], SOLO_LANE(L_LOG_Z) = p[P_LOG_Z], SOLO_LANE(L_MEAN) = p[P_MEAN], SOLO_LANE(L_M) = p[P_M];
  for (int k = 0; k < count; k++) memcpy(state + k * V, m->arrays[which[k]], V * 8);
#undef SOLO_LANE
}

/* Solo runs first, first + stride, … on this thread (their memory made once). */
static void solo_runs(const BlockArgs *a, int64_t first, int64_t stride) {
  if (first >= a->solo) return;
  SoloMemory m;
  if (!solo_memory(&m, a)) {
    /* no memory: the runs come back dirty, and the caller runs them on their own */
    for (int64_t j = first; j < a->solo; j += stride) solo_lanes(a, j)[L_DIRTY * 8] = 1;
    return;
  }
  for (int64_t j = first; j < a->solo; j += stride) solo_run(a, &m, j);
  free(m.mem);
}

#if HAVE_HELPER
/* Lanes [from, to) on a thread of their own (the runs are independent). */
typedef struct {
  const BlockArgs *a;
  int64_t from, to;
} BlockShare;

static void *block_share_thread(void *arg) {
  const BlockShare *s = arg;
  block_runs(s->a, s->from, s->to);
  return NULL;
}

/*
 * Two chunks on two threads, step by step (a large vocabulary, whatever the number of runs): for
 * the k-th (block, step) the helper takes chunk 1 once `released` reaches k and marks `done` k + 1;
 * the caller takes chunk 0, waits for it, adds the chunks and finishes the step.
 */
typedef struct {
  const BlockArgs *a;
  int64_t from, to; /* the lanes */
  BlockSums *chunk1;
  _Atomic int released, done;
} BlockPair;

static void *block_pair_thread(void *arg) {
  BlockPair *p = arg;
  const BlockArgs *a = p->a;
  const int64_t split = a->split;
  /* two blocks (one at the end) at a time, every step of them before the next: their θ and e stay in cache */
  int k = 0;
  for (int64_t b = p->from; b < p->to;) {
    const int h = blocks_a_pass(b, p->to);
    const BlockPass pass = pass_of(a->kind, h);
    for (int t = 0; t < a->n; t++, k++) {
      while (atomic_load_explicit(&p->released, memory_order_acquire) < k) cpu_relax();
      pass(a, b, t, split, a->V, p->chunk1);
      atomic_store_explicit(&p->done, k + 1, memory_order_release);
    }
    b += 8 * h;
  }
  return NULL;
}

static void *solo_thread(void *arg) {
  solo_runs(arg, 1, 2);
  return NULL;
}

/* The solo runs, alternately on this thread and a second one; returns 0 (and does nothing) if it cannot be made. */
static int solo_threads(const BlockArgs *a) {
  pthread_t thread;
  if (a->solo < 2 || pthread_create(&thread, NULL, solo_thread, (void *)a) != 0) return 0;
  solo_runs(a, 0, 2);
  pthread_join(thread, NULL);
  return 1;
}

/* The blocks at lanes [from, to), both threads on each; returns 0 (and does nothing) if the helper thread cannot be made. */
static int block_pair(const BlockArgs *a, int64_t from, int64_t to) {
  const size_t bytes = 2 * sizeof(BlockSums); /* a multiple of 64: v8d wants 64-byte alignment */
  BlockPair p = {a, from, to, aligned_alloc(64, bytes), 0, 0};
  BlockSums *chunk0 = aligned_alloc(64, bytes);
  pthread_t thread;
  if (!p.chunk1 || !chunk0 || pthread_create(&thread, NULL, block_pair_thread, &p) != 0) {
    free(p.chunk1);
    free(chunk0);
    return 0;
  }
  const int forward = (a->kind >> 1) & 1;
  const int64_t split = a->split;
  int k = 0;
  for (int64_t b = from; b < to;) {
    const int h = blocks_a_pass(b, to); /* as the helper takes them */
    const BlockPass pass = pass_of(a->kind, h);
    for (int t = 0; t < a->n; t++, k++) {
      pass(a, b, t, 0, split, chunk0);
      while (atomic_load_explicit(&p.done, memory_order_acquire) < k + 1) cpu_relax();
      for (int j = 0; j < h; j++) {
        add_chunk(&chunk0[j], &p.chunk1[j]);
        block_finish(a, b + 8 * j, t, &chunk0[j], forward);
      }
      atomic_store_explicit(&p.released, k + 1, memory_order_release);
    }
    b += 8 * h;
  }
  pthread_join(thread, NULL);
  free(chunk0);
  free(p.chunk1);
  return 1;
}

/*
 * The K runs on two threads; returns 0 (and does nothing) if the second thread cannot be made. The
 * runs are independent, so each thread takes whole blocks of its own, both chunks of each: no sync
 * between steps, ~10% faster than both threads on every block's two chunks (measured with 16 runs
 * at V = 2048, 4096 and 8192). An odd last block goes to both threads chunk by chunk where there
 * are two chunks (block_pair), else to the first thread.
 */
static int block_threads(const BlockArgs *a) {
  const int64_t blocks = a->K / 8, even = blocks / 2 * 2 * 8;
  const int paired = blocks % 2 && a->split < a->V; /* the odd block, both threads on it */
  if (blocks <= 1) return paired && block_pair(a, 0, a->K);
  /* the first thread takes the odd block unless it is paired */
  BlockShare second = {a, paired ? even / 2 : (blocks / 2 + blocks % 2) * 8, paired ? even : a->K};
  pthread_t thread;
  if (pthread_create(&thread, NULL, block_share_thread, &second) != 0) return 0;
  block_runs(a, 0, second.from);
  pthread_join(thread, NULL);
  if (paired && !block_pair(a, even, a->K)) block_runs(a, even, a->K);
  return 1;
}
#endif

/*
 * block(lanes, tokens, problem, bias, V, K, n, kind, rate, b1, b2, eps, floor, threads, split, solo,
 * soloTokens): n steps of K runs (K a multiple of 8, maybe 0) in blocks of 8, each as run_steps
 * takes it alone (see BLOCK_PASS), then of `solo` runs one by one at lanes [K, K + solo) (solo_run);
 * kind = adam·4 + forward·2 + gold. lanes block by block (LANE_STRIDE, over K + solo runs); tokens
 * block by block (TOKEN_STRIDE; θ, e, and with Adam m, v); soloTokens: θ, e (m, v) of each solo
 * run, V each; problem: 4·V; bias: 2·n (read for Adam only); split: the first token of chunk 1
 * (contract.mjs chunkSplit × GROUP), or V for one chunk. threads = 2: a second thread takes half
 * the blocks (or, for an odd last block of two chunks, chunk 1 of its every step) and every other
 * solo run; the bits do not depend on it. Returns the threads that ran.
 */
#define BLOCK_ARGC 17
static napi_value js_block(napi_env env, napi_callback_info info) {
  size_t argc = BLOCK_ARGC;
  napi_value argv[BLOCK_ARGC];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != BLOCK_ARGC) return throw_type(env, "klsim native kernel: block takes 17 arguments");
  double *lanes, *tokens, *problem, *bias, *soloTokens;
  size_t nl, nt, np, nb, ns;
  if (!f64_arg(env, argv[0], &lanes, &nl) || !f64_arg(env, argv[1], &tokens, &nt) || !f64_arg(env, argv[2], &problem, &np) || !f64_arg(env, argv[3], &bias, &nb) ||
      !f64_arg(env, argv[16], &soloTokens, &ns))
    return NULL;
  int32_t v[BLOCK_ARGC];
  if (!int_args(env, argv, 4, 8, v) || !int_args(env, argv, 13, 16, v)) return NULL;
  const int64_t V = v[4], K = v[5], split = v[14], solo = v[15];
  const int32_t n = v[6], kind = v[7], threads = v[13];
  double d[5];
  for (int k = 0; k < 5; k++)
    if (napi_get_value_double(env, argv[8 + k], &d[k]) != napi_ok) return throw_type(env, "klsim native kernel: expected a number");
  const int adam = kind >= 4;
  const int64_t laneBlocks = (K + solo + 7) / 8;
  const int in_range = V > 0 && K >= 0 && K % 8 == 0 && solo >= 0 && K + solo > 0 && split >= 0 && split <= V && (split == V || split % GROUP == 0) && n >= 0 &&
                       kind >= 0 && kind < 8 && nl >= (size_t)(laneBlocks * LANE_STRIDE) && nt >= (size_t)((adam ? 4 : 2) * (K / 8) * TOKEN_STRIDE(V)) &&
                       ns >= (size_t)((adam ? 4 : 2) * solo * V) && np >= (size_t)(4 * V) && (!adam || nb >= (size_t)(2 * (int64_t)n));
  if (!in_range) return throw_type(env, "klsim native kernel: block sizes out of range");
  const BlockArgs a = {lanes, tokens, problem, bias, V, K, split, n, kind, d[0], d[1], d[2], d[3], d[4], solo, soloTokens};
  int ran = 1;
#if HAVE_HELPER
  if (threads >= 2 && K > 0 && block_threads(&a)) ran = 2;
  else
#endif
    block_runs(&a, 0, K);
#if HAVE_HELPER
  if (threads >= 2 && solo_threads(&a)) ran = 2;
  else
#endif
    solo_runs(&a, 0, 1);
  (void)threads;
  napi_value result;
  napi_create_int32(env, ran, &result);
  return result;
}

/* exp of each element of a Float64Array into another → the sum of the results (the closed-form optimum's softmax; the tests: the step's exp on its own). */
static napi_value js_exp(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_typedarray_type tx, to;
  size_t nx, no;
  void *px, *po;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2 ||
      napi_get_typedarray_info(env, argv[0], &tx, &nx, &px, NULL, NULL) != napi_ok ||
      napi_get_typedarray_info(env, argv[1], &to, &no, &po, NULL, NULL) != napi_ok || tx != napi_float64_array || to != napi_float64_array ||
      nx != no || nx % 8 != 0)
    return throw_type(env, "klsim native kernel: exp takes two Float64Arrays of the same length, a multiple of 8");
  napi_value result;
  napi_create_double(env, exp_array(px, po, nx), &result);
  return result;
}

/* ---- the reverse-KL optimum's passes and its metrics' sums (core/optima.ts, core/metrics.ts) ----
 * The plain loops' operations in their order, so the same bits (test/engine/optimum-passes.test.ts):
 * divisions, additions and products are IEEE's in any register width, max is taken as Math.max
 * (NaN if any, +0 over −0), and the metrics' sums stay scalar (without -ffast-math the compiler
 * keeps their order). A sweep at V = 65 536 takes them once per β. */

/* out ← log πref + (r − rMax)/β → m = Math.max of out; then, if m is finite, out ← out + (−m) and log
 * (when given) ← the same: π*'s logits shifted by their max (reverseOptimum's tiltedLogits and addTo). */
CLONES static double tilt_array(const double *logRef, const double *reward, double rMax, double beta, double *out, double *log, size_t n) {
  const size_t whole = n - n % 8;
  v8d mx = SPLAT(-INFINITY);
  v8l nan = (v8l)SPLAT(0.0);
  for (size_t i = 0; i < whole; i += 8) {
    const v8d l = LOAD(logRef + i) + (LOAD(reward + i) - SPLAT(rMax)) / SPLAT(beta);
    STORE(out + i, l);
    nan |= (v8l)(l != l);
    mx = PMAX8(mx, l);
  }
  double m = -INFINITY;
  int any_nan = 0;
  for (int k = 0; k < 8; k++) {
    any_nan |= nan[k] != 0;
    if (mx[k] > m) m = mx[k];
  }
  for (size_t i = whole; i < n; i++) {
    const double l = logRef[i] + (reward[i] - rMax) / beta;
    out[i] = l;
    any_nan |= l != l;
    if (l > m) m = l;
  }
  if (any_nan) return NAN;
  if (m == 0) /* Math.max(−0, +0) is +0, whatever the order */
    for (size_t i = 0; i < n; i++)
      if (out[i] == 0 && !signbit(out[i])) {
        m = 0.0;
        break;
      }
  if (!isfinite(m)) return m;
  const double c = -m;
  for (size_t i = 0; i < whole; i += 8) {
    const v8d x = LOAD(out + i) + SPLAT(c);
    STORE(out + i, x);
    if (log) STORE(log + i, x);
  }
  for (size_t i = whole; i < n; i++) {
    out[i] = out[i] + c;
    if (log) log[i] = out[i];
  }
  return m;
}

/* out ← out·invZ; log (when given) ← log + negLogZ: π* = e/Σe and log π* = (ℓ − max) − log Σe. */
CLONES static void normalize_array(double *out, double invZ, double *log, double negLogZ, size_t n) {
  const size_t whole = n - n % 8;
  for (size_t i = 0; i < whole; i += 8) {
    STORE(out + i, LOAD(out + i) * SPLAT(invZ));
    if (log) STORE(log + i, LOAD(log + i) + SPLAT(negLogZ));
  }
  for (size_t i = whole; i < n; i++) {
    out[i] = out[i] * invZ;
    if (log) log[i] = log[i] + negLogZ;
  }
}

/* sums ← [Σ p·(log p − log q), Σ q·(log q − log p), −Σ p·log p, Σ p·r] with log p given: divergencesOf's
 * loop (the last sum is dot's: -ffp-contract=off keeps p·r a product, then an addition). A skipped
 * term adds +0 instead (−0 to h, as h − 0 is h + (−0)), which changes no sum: one that starts at +0
 * is never −0 (x + (−x) is +0), and x + 0 = x for every other x; selects instead of branches, which
 * random π mispredict. */
static inline void divergence_terms(double p, double q, double logP, double logQ, double r, double *sums) {
  logP = p == 0 ? -INFINITY : logP;
  sums[0] += p != 0 ? (q == 0 ? INFINITY : p * (logP - logQ)) : 0.0;
  sums[1] += q != 0 ? (p == 0 ? INFINITY : q * (logQ - logP)) : 0.0;
  sums[2] -= p > 0 ? p * logP : 0.0;
  sums[3] += p * r;
}

typedef double v4d __attribute__((vector_size(32)));
typedef int64_t v4l __attribute__((vector_size(32)));
typedef double v4du __attribute__((vector_size(32), aligned(8)));
#define SPLAT4(x) ((v4d){(x), (x), (x), (x)})
#define LOAD4(p) (*(const v4du *)(p))
#define SELECT4(m, a, b) ((v4d)(((v4l)(a) & (m)) | ((v4l)(b) & ~(m))))
#define SHUFFLE4(a, b, i, j, k, l) __builtin_shufflevector((a), (b), i, j, k, l)

/* The four sums are sequential chains (the plain loop's order, so its bits), each bound by an
 * addition's latency; here they are the lanes of ONE vector, so the four chains advance in one
 * addition a token: four tokens' terms of each sum as vectors, transposed to each token's four terms
 * [reverse, forward, −p·log p, p·r], added in token order (scalar: ~115 µs at V = 65 536; this ~48). */
CLONES static void divergence_sums(const double *pi, const double *logPi, const double *ref, const double *logRef, const double *reward, size_t n,
                                   double *sums) {
  const size_t whole = n - n % 4;
  const v4d zero = SPLAT4(0.0), inf = SPLAT4(INFINITY);
  v4d acc = zero;
  for (size_t i = 0; i < whole; i += 4) {
    const v4d p = LOAD4(pi + i), q = LOAD4(ref + i), logQ = LOAD4(logRef + i);
    const v4l p0 = (v4l)(p == zero), q0 = (v4l)(q == zero), positive = (v4l)(p > zero);
    const v4d logP = SELECT4(p0, SPLAT4(-INFINITY), LOAD4(logPi + i));
    const v4d reverse = SELECT4(p0, zero, SELECT4(q0, inf, p * (logP - logQ)));
    const v4d forward = SELECT4(q0, zero, SELECT4(p0, inf, q * (logQ - logP)));
    const v4d negEntropy = SELECT4(positive, -(p * logP), SPLAT4(-0.0));
    const v4d expected = p * LOAD4(reward + i);
    const v4d rf02 = SHUFFLE4(reverse, forward, 0, 4, 2, 6), rf13 = SHUFFLE4(reverse, forward, 1, 5, 3, 7);
    const v4d he02 = SHUFFLE4(negEntropy, expected, 0, 4, 2, 6), he13 = SHUFFLE4(negEntropy, expected, 1, 5, 3, 7);
    acc = acc + SHUFFLE4(rf02, he02, 0, 1, 4, 5);
    acc = acc + SHUFFLE4(rf13, he13, 0, 1, 4, 5);
    acc = acc + SHUFFLE4(rf02, he02, 2, 3, 6, 7);
    acc = acc + SHUFFLE4(rf13, he13, 2, 3, 6, 7);
  }
  sums[0] = acc[0], sums[1] = acc[1], sums[2] = acc[2], sums[3] = acc[3];
  for (size_t i = whole; i < n; i++) divergence_terms(pi[i], ref[i], logPi[i], logRef[i], reward[i], sums);
}

/* ½·Σ|p − q| in eight running sums (token i in sum i mod 8) reduced in REDUCE's order: information.ts
 * totalVariation's operations, so its bits (a sweep takes TV(π, π*) once per β). */
CLONES static double total_variation(const double *p, const double *q, size_t n) {
  const size_t whole = n - n % 8;
  v8d s = SPLAT(0.0);
  for (size_t i = 0; i < whole; i += 8) s = s + ABS8(LOAD(p + i) - LOAD(q + i));
  for (size_t i = whole; i < n; i++) s[i - whole] = s[i - whole] + fabs(p[i] - q[i]);
  return REDUCE(s) / 2;
}

/* The Float64Array arguments from `from`, each of at least `n` elements (an empty `nullable` one gives NULL). */
static int f64_args(napi_env env, napi_value *argv, size_t from, size_t count, size_t n, double **data, int nullable) {
  for (size_t k = 0; k < count; k++) {
    size_t length;
    if (!f64_arg(env, argv[from + k], &data[k], &length)) return 0;
    if (nullable >= 0 && (size_t)nullable == k && length == 0) data[k] = NULL;
    else if (length < n) {
      throw_type(env, "klsim native kernel: a Float64Array is shorter than the vocabulary");
      return 0;
    }
  }
  return 1;
}

/* A pass's arguments (argc of them, into argv): `arrays` Float64Arrays as long as argv[length_of]
 * (an empty `nullable` one gives NULL; -1: none may be), then `numbers` numbers into d; false with
 * a TypeError thrown. */
static int pass_args(napi_env env, napi_callback_info info, size_t argc, napi_value *argv, const char *usage, size_t arrays, size_t length_of, int nullable, double **a,
                     size_t *n, size_t numbers, double *d) {
  size_t got = argc;
  if (napi_get_cb_info(env, info, &got, argv, NULL, NULL) != napi_ok || got != argc) {
    throw_type(env, usage);
    return 0;
  }
  double *first;
  if (!f64_arg(env, argv[length_of], &first, n) || !f64_args(env, argv, 0, arrays, *n, a, nullable)) return 0;
  for (size_t k = 0; k < numbers; k++)
    if (napi_get_value_double(env, argv[arrays + k], &d[k]) != napi_ok) {
      throw_type(env, "klsim native kernel: expected a number");
      return 0;
    }
  return 1;
}

/* tilt(logRef, reward, out, log, rMax, β) → max (log may be empty: not written) */
static napi_value js_tilt(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  double *a[4], d[2];
  size_t n;
  if (!pass_args(env, info, 6, argv, "klsim native kernel: tilt takes 6 arguments", 4, 2, 3, a, &n, 2, d)) return NULL;
  napi_value result;
  napi_create_double(env, tilt_array(a[0], a[1], d[0], d[1], a[2], a[3], n), &result);
  return result;
}

/* normalize(out, log, invZ, negLogZ) (log may be empty) */
static napi_value js_normalize(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  double *a[2], d[2];
  size_t n;
  if (!pass_args(env, info, 4, argv, "klsim native kernel: normalize takes 4 arguments", 2, 0, 1, a, &n, 2, d)) return NULL;
  normalize_array(a[0], d[0], a[1], d[1], n);
  return NULL;
}

/* divergences(pi, logPi, ref, logRef, reward, sums): sums[0..3] ← reverse KL, forward KL, entropy, E_π[r] terms */
static napi_value js_divergences(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  double *a[5], *sums;
  size_t n, ns;
  if (!pass_args(env, info, 6, argv, "klsim native kernel: divergences takes 6 arguments", 5, 0, -1, a, &n, 0, NULL)) return NULL;
  if (!f64_arg(env, argv[5], &sums, &ns)) return NULL;
  if (ns < 4) return throw_type(env, "klsim native kernel: divergences' sums hold 4 numbers");
  divergence_sums(a[0], a[1], a[2], a[3], a[4], n, sums);
  return NULL;
}

/* totalVariation(p, q) → ½·Σ|p − q| over p's length (q at least as long) */
static napi_value js_total_variation(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  double *a[2];
  size_t n;
  if (!pass_args(env, info, 2, argv, "klsim native kernel: totalVariation takes 2 arguments", 2, 0, -1, a, &n, 0, NULL)) return NULL;
  napi_value result;
  napi_create_double(env, total_variation(a[0], a[1], n), &result);
  return result;
}

/* helperJobs() → chunks the helper thread has run in this thread's instance (for the tests). */
static napi_value js_helper_jobs(napi_env env, napi_callback_info info) {
  (void)info;
  Instance *instance = NULL;
  napi_get_instance_data(env, (void **)&instance);
  napi_value result;
  napi_create_double(env, instance ? (double)atomic_load(&instance->helper.jobs) : 0, &result);
  return result;
}

/* The instruction set the clones were picked for: what `klsim bench` reports. */
static const char *isa(void) {
#if defined(KLSIM_TARGET)
  return KLSIM_ISA;
#elif defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("x86-64-v4")) return "avx512";
  if (__builtin_cpu_supports("x86-64-v3")) return "avx2";
  return "none"; /* no FMA: the kernel declines */
#elif defined(__x86_64__)
  /* another compiler: built for AVX2 + FMA (scripts/build-native.mjs) */
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? "avx2" : "none";
#elif defined(__aarch64__)
  return "neon";
#else
  return "generic";
#endif
}

/* NATIVE_VERSION (contract.mjs): native.ts refuses a kernel of another. */

static void export_function(napi_env env, napi_value exports, const char *name, napi_callback callback) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, callback, NULL, &fn);
  napi_set_named_property(env, exports, name, fn);
}

NAPI_MODULE_INIT() {
  Instance *instance = calloc(1, sizeof(Instance));
  if (instance) napi_set_instance_data(env, instance, instance_finalize, NULL);
  export_function(env, exports, "run", js_run);
  export_function(env, exports, "exp", js_exp);
  export_function(env, exports, "block", js_block);
  export_function(env, exports, "tilt", js_tilt);
  export_function(env, exports, "normalize", js_normalize);
  export_function(env, exports, "divergences", js_divergences);
  export_function(env, exports, "totalVariation", js_total_variation);
  export_function(env, exports, "helperJobs", js_helper_jobs);
  napi_value value;
  napi_create_string_utf8(env, isa(), NAPI_AUTO_LENGTH, &value);
  napi_set_named_property(env, exports, "isa", value);
  napi_create_int32(env, NATIVE_VERSION, &value);
  napi_set_named_property(env, exports, "version", value);
  napi_get_boolean(env, HAVE_HELPER, &value);
  napi_set_named_property(env, exports, "threads", value);
  /* the layout this build expects, checked by native.ts against contract.mjs */
  const struct { const char *name; int32_t value; } layout[] = {{"PARAMS", PARAMS}, {"MASKS", MASKS}, {"OUT_SLOT", OUT_SLOT}, {"GROUP", GROUP}, {"ROW_SLOTS", ROW_SLOTS}};
  for (size_t k = 0; k < sizeof layout / sizeof layout[0]; k++) {
    napi_create_int32(env, layout[k].value, &value);
    napi_set_named_property(env, exports, layout[k].name, value);
  }
  return exports;
}
#endif
