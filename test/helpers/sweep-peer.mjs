// A batched peer of `klsim sweep` for the tests of `klsim bench --sweep`, written independently of
// klsim's code: every β in one (B × V) loop, exact reverse-KL gradient ∇J = π ⊙ (f − ⟨π, f⟩),
// f = r − β(log π − log π_ref), SGD from θ = log π_ref, the metrics of the last step.
// Usage: node sweep-peer.mjs SCENARIO STEPS A:B:N:log → JSON rows as `klsim sweep --json` prints.
import { readFileSync } from "node:fs";

const [file, stepsText, range] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(file, "utf8"));
const total = spec.reference.reduce((a, b) => a + b, 0);
const ref = spec.reference.map((p) => p / total);
const logRef = ref.map(Math.log);
const reward = spec.reward;
const lr = spec.optimizer.lr;
const [a, b, n] = range.split(":").map(Number);
const betas = Array.from({ length: n }, (_, k) => Math.exp(Math.log(a) + ((Math.log(b) - Math.log(a)) * k) / (n - 1)));
const V = ref.length;

function softmax(theta) {
  const m = Math.max(...theta);
  const z = theta.reduce((s, t) => s + Math.exp(t - m), 0);
  const logPi = theta.map((t) => t - m - Math.log(z));
  return { pi: logPi.map(Math.exp), logPi };
}

const rows = betas.map((beta) => {
  let theta = logRef.slice();
  let { pi, logPi } = softmax(theta);
  for (let t = 0; t < Number(stepsText); t++) {
    const f = reward.map((r, i) => r - beta * (logPi[i] - logRef[i]));
    const mean = f.reduce((s, fi, i) => s + pi[i] * fi, 0);
    theta = theta.map((th, i) => th + lr * pi[i] * (f[i] - mean));
    ({ pi, logPi } = softmax(theta));
  }
  let r = 0;
  let rkl = 0;
  let fkl = 0;
  let h = 0;
  for (let i = 0; i < V; i++) {
    r += pi[i] * reward[i];
    rkl += pi[i] * (logPi[i] - logRef[i]);
    fkl += ref[i] * (logRef[i] - logPi[i]);
    h -= pi[i] * logPi[i];
  }
  return { beta, reward: r, reverse_kl: rkl, forward_kl: fkl, entropy: h };
});
console.log(JSON.stringify(rows));
