#!/usr/bin/env python3
"""Reference PaCo-SAC update in PyTorch eager, for taco_bench_learner.

The same update as learner/paco (see ../shared/spec/paco-sac.md §2–§4), in
three forms (--form):
  official      the way the official ALF code computes it: CompositionalFC
                mixes in output space (every component's W_k x + b_k for every
                sample, then a per-sample bmm with w); the two critics are
                separate networks evaluated in a loop (NaiveParallelNetwork),
                and so are their targets; TF-style Adam steps every parameter
                in a Python loop (ALF's AdamTF).
  composed      the computation learner/paco's default path runs: each layer's
                per-task weights θ_τ = Σ_k w_τk Φ_k composed for the batch's
                tasks, samples grouped by task and one batched matmul per
                layer; twin critics stacked as one network with a replica
                dimension; TF-Adam with multi-tensor (foreach) operations.
  output_space  learner/paco's output-space path: output-space mixing over
                stacked critics, foreach TF-Adam.
The last two give like-for-like figures for the learner's two paths.
The batch is B two-step sequences: the actor and alpha losses at both steps,
the critic loss at step 0, per-task losses, mask-out at ε, w-reset, Polyak
targets and the log-alpha cap.

Run with Debian's interpreter: /usr/bin/python3 reference_paco_update.py.
The last line printed is a JSON object with reference_updates_per_s.
"""

import argparse
import json
import math
import statistics
import sys
import time

import torch

OBS_DIM = 39
ACTION_DIM = 4


class CompositionalFC:
    """Parameters [K, out, in] and [K, out]; components identical at init."""

    def __init__(self, k, fan_in, fan_out, init, device):
        kernel = torch.empty(fan_out, fan_in)
        if init == "xavier":
            a = math.sqrt(6.0 / (fan_in + fan_out))
            kernel.uniform_(-a, a)
        elif init == "fan_in":
            a = 1.0 / math.sqrt(fan_in)
            kernel.uniform_(-a, a)
        elif init == "head":
            torch.nn.init.trunc_normal_(kernel, 0.0, 1.0, -2.0, 2.0)
            kernel.mul_(0.3 / math.sqrt(fan_in) / 0.87962566103423978)
        else:
            kernel.uniform_(-0.003, 0.003)
        self.weight = kernel.expand(k, fan_out, fan_in).clone().to(device).requires_grad_()
        self.bias = torch.zeros(k, fan_out, device=device, requires_grad=True)

    def __call__(self, x, c):
        k = self.weight.shape[0]
        y = torch.baddbmm(self.bias.unsqueeze(1), x.unsqueeze(0).expand(k, *x.shape),
                          self.weight.transpose(1, 2))  # [K, B, out]
        return torch.bmm(c.unsqueeze(1), y.transpose(0, 1)).squeeze(1)  # [B, out]

    def parameters(self):
        return [self.weight, self.bias]


class Mlp:
    def __init__(self, k, sizes, hidden_init, out_init, device):
        self.layers = []
        for i in range(len(sizes) - 1):
            init = out_init if i == len(sizes) - 2 else hidden_init
            self.layers.append(CompositionalFC(k, sizes[i], sizes[i + 1], init, device))

    def __call__(self, x, c):
        for i, layer in enumerate(self.layers):
            x = layer(x, c)
            if i + 1 < len(self.layers):
                x = torch.relu(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


class AdamTF:
    """eps added to sqrt(v); step size lr·sqrt(1 − β2^t)/(1 − β1^t)."""

    def __init__(self, params, lr, betas=(0.9, 0.999), eps=1e-7):
        self.params, self.lr, self.betas, self.eps, self.t = params, lr, betas, eps, 0
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        self.t += 1
        b1, b2 = self.betas
        step_size = self.lr * math.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        for p, m, v in zip(self.params, self.m, self.v):
            g = p.grad if p.grad is not None else torch.zeros_like(p)
            m.mul_(b1).add_(g, alpha=1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            p.addcdiv_(m, v.sqrt().add_(self.eps), value=-step_size)


class PacoSac:
    adam = AdamTF

    def __init__(self, args, device):
        k, t, h = args.components, args.tasks, args.hidden
        self.args, self.device = args, device
        actor_params, critic_params, target_params = self.build_networks(k, h, device)
        with torch.no_grad():
            for p, q in zip(critic_params, target_params):
                q.copy_(p)
                q.requires_grad_(False)
        self.w = torch.randn(k, t, device=device, requires_grad=True)
        self.log_alpha = torch.zeros(t, device=device, requires_grad=True)
        self.optimizers = [self.adam(actor_params, 3e-4), self.adam(critic_params, 3e-4),
                           self.adam([self.log_alpha], 1e-4), self.adam([self.w], 3e-4)]
        self.target_entropy = ACTION_DIM * math.log(0.2)
        self.mask_count = torch.zeros(t, dtype=torch.long)
        self.reset_count = torch.zeros(t, dtype=torch.long)

    def build_networks(self, k, h, device):
        """The actor, twin critics and targets; their parameter lists."""
        self.actor = Mlp(k, [OBS_DIM] + h + [2 * ACTION_DIM], "xavier", "head", device)
        critic_sizes = [OBS_DIM + ACTION_DIM] + h + [1]
        self.critics = [Mlp(k, critic_sizes, "fan_in", "out", device) for _ in range(2)]
        self.targets = [Mlp(k, critic_sizes, "fan_in", "out", device) for _ in range(2)]
        return (self.actor.parameters(), [p for c in self.critics for p in c.parameters()],
                [p for c in self.targets for p in c.parameters()])

    # The networks as the official code evaluates them: c holds each sample's
    # compositional vector; the critics and their targets loop.
    def actor_out(self, states, c, task):
        return self.actor(states, c)

    def q_values(self, sa, c, task, detach_w):
        return torch.stack([critic(sa, c) for critic in self.critics])

    def target_q_values(self, sa, c, task):
        return torch.stack([target(sa, c) for target in self.targets])

    def polyak(self, tau):
        for critic, target in zip(self.critics, self.targets):
            for p, q in zip(critic.parameters(), target.parameters()):
                q.mul_(1 - tau).add_(p, alpha=tau)

    def dumped_parameters(self, with_targets=True):
        """(name in the dump, replica index or None for the whole array, tensor)."""
        nets = [("actor", 0, self.actor)]
        for r in range(2):
            nets.append(("critic", r, self.critics[r]))
            if with_targets:
                nets.append(("target_critic", r, self.targets[r]))
        for prefix, r, net in nets:
            for i, layer in enumerate(net.layers):
                yield f"{prefix}.net.layer{i}.weight", r, layer.weight
                yield f"{prefix}.net.layer{i}.bias", r, layer.bias

    def update(self, obs, action, reward, next_obs, terminal, truncated, task, eps=None,
               after_backward=None):
        """One update. `eps` fixes the policy noise [2B, A]; `after_backward`
        is called between backward and the optimizer steps (cross-check)."""
        args = self.args
        b, t = obs.shape[0], args.tasks
        for opt in self.optimizers:
            opt.zero_grad()
        states = torch.cat([obs, next_obs])
        task2 = torch.cat([task, task])
        c1 = self.w.t()[task]
        c2 = self.w.t()[task2]

        out = self.actor_out(states, c2, task2)
        mean, pre_std = out[:, :ACTION_DIM], out[:, ACTION_DIM:]
        log_std = pre_std.clamp(-10.0, 2.0)
        if eps is None:
            eps = torch.randn_like(mean)
        u = mean + log_std.exp() * eps
        a = torch.tanh(u)
        log_prob = (-0.5 * eps.pow(2) - log_std - 0.5 * math.log(2 * math.pi)
                    - 2.0 * (math.log(2.0) - u - torch.nn.functional.softplus(-2.0 * u))).sum(1)
        log_alpha = self.log_alpha[task2]
        alpha = log_alpha.detach().clamp(min=-10.0).exp()

        # ALF's actor loss: gradient of α log π − min Q, value ½‖∂Q/∂a‖² + α log π.
        a_leaf = a.detach().requires_grad_()
        sa = torch.cat([states, a_leaf], 1)
        q_pi = torch.min(self.q_values(sa, c2.detach(), task2, detach_w=True), 0)[0]
        dqda = torch.autograd.grad(q_pi.sum(), a_leaf)[0]
        actor_loss = 0.5 * ((a + dqda).detach() - a).pow(2).sum(1) + alpha * log_prob
        alpha_loss = log_alpha * (-log_prob.detach() - self.target_entropy)

        with torch.no_grad():
            next_a, next_lp = a[b:], log_prob[b:]
            sa1 = torch.cat([next_obs, next_a], 1)
            q_t = torch.min(self.target_q_values(sa1, c1.detach(), task), 0)[0]
            y = reward + args.discount * (1 - terminal) * (q_t.squeeze(1) - alpha[b:] * next_lp)
        sa0 = torch.cat([obs, action], 1)
        critic_loss = (self.q_values(sa0, c1, task, detach_w=False).squeeze(2) - y).pow(2).sum(0)

        l0 = actor_loss[:b] + alpha_loss[:b] + critic_loss
        l1 = actor_loss[b:] + alpha_loss[b:]
        counts = torch.bincount(task, minlength=t).to(obs.dtype)
        task_loss = torch.zeros(t, device=obs.device).index_add_(
            0, task, (0.5 * (l0 + l1)).detach()) / counts.clamp(min=1)
        masked = ~(task_loss <= args.threshold) & (counts > 0)
        keep = ~masked[task]
        valid1 = (terminal + truncated) == 0
        entry = l0 + torch.where(valid1, l1, torch.zeros_like(l1))
        loss = torch.where(keep, 0.5 / counts[task] * entry, torch.zeros_like(entry)).sum()
        loss.backward()
        self.last_masked = masked
        if after_backward is not None:
            after_backward()
        for opt in self.optimizers:
            opt.step()

        with torch.no_grad():
            self.polyak(args.tau)
            self.log_alpha.clamp_(max=0.0)
            # w-reset after the step, as the official after_update does.
            extreme = masked.nonzero().flatten().tolist()
            if extreme:
                pool = (~masked).nonzero().flatten()
                for e in extreme:
                    self.mask_count[e] += 1
                    if len(pool) == 0:
                        continue
                    beta = torch.empty(len(pool), device=obs.device).exponential_()
                    beta /= beta.sum()
                    self.w[:, e] = self.w[:, pool] @ beta
                    self.reset_count[e] += 1
        return loss.item()


class StackedNet:
    """An MLP of compositional layers with R replicas stacked: weight
    [R, K, out, in], bias [R, K, out], the layout learner/paco keeps."""

    def __init__(self, replicas, k, sizes, hidden_init, out_init, device, form):
        self.form = form
        self.weights, self.biases = [], []
        for i in range(len(sizes) - 1):
            init = out_init if i == len(sizes) - 2 else hidden_init
            layers = [CompositionalFC(k, sizes[i], sizes[i + 1], init, device)
                      for _ in range(replicas)]
            self.weights.append(torch.stack([layer.weight.detach() for layer in layers])
                                .requires_grad_())
            self.biases.append(torch.stack([layer.bias.detach() for layer in layers])
                               .requires_grad_())

    def parameters(self):
        return [p for pair in zip(self.weights, self.biases) for p in pair]

    def __call__(self, x, w, task, detach):
        """x [N, in], w [K, T], task [N] → [R, N, out]."""
        weights = [p.detach() for p in self.weights] if detach else self.weights
        biases = [p.detach() for p in self.biases] if detach else self.biases
        if self.form == "output_space":
            return self._output_space(x, w, task, weights, biases)
        return self._composed(x, w, task, weights, biases)

    @staticmethod
    def _output_space(x, w, task, weights, biases):
        r, k = weights[0].shape[:2]
        n = x.shape[0]
        c = w.t()[task]  # [N, K]
        h = x.unsqueeze(0).expand(r, n, x.shape[1])
        for i, (weight, bias) in enumerate(zip(weights, biases)):
            y = torch.matmul(h.unsqueeze(1), weight.transpose(-1, -2)) + bias.unsqueeze(2)
            h = (y * c.t().reshape(1, k, n, 1)).sum(1)
            if i + 1 < len(weights):
                h = torch.relu(h)
        return h

    @staticmethod
    def _composed(x, w, task, weights, biases):
        r, k = weights[0].shape[:2]
        n = x.shape[0]
        counts = torch.bincount(task, minlength=w.shape[1])
        present = counts.nonzero().flatten()
        p, m = present.numel(), int(counts.max())
        # Each sample's slot in [P, M] groups of its task, in batch order.
        group_of = torch.full_like(counts, -1)
        group_of[present] = torch.arange(p, device=task.device)
        order = torch.sort(task, stable=True).indices
        sorted_task = task[order]
        start = torch.cumsum(counts, 0) - counts
        rank = torch.arange(n, device=task.device) - start[sorted_task]
        slot = torch.empty_like(task)
        slot[order] = group_of[sorted_task] * m + rank
        wt = w[:, present].t()  # [P, K]
        h = torch.zeros(p * m, x.shape[1], dtype=x.dtype, device=x.device).index_copy(0, slot, x)
        h = h.view(1, p, m, -1).expand(r, p, m, x.shape[1]).reshape(r * p, m, x.shape[1])
        for i, (weight, bias) in enumerate(zip(weights, biases)):
            out, fan_in = weight.shape[2:]
            theta = torch.matmul(wt, weight.reshape(r, k, out * fan_in)).view(r * p, out, fan_in)
            b = torch.matmul(wt, bias).view(r * p, 1, out)
            h = torch.baddbmm(b, h, theta.transpose(1, 2))
            if i + 1 < len(weights):
                h = torch.relu(h)
        return h.reshape(r, p * m, -1).index_select(1, slot)


class AdamTFForeach(AdamTF):
    """AdamTF over all parameters at once with multi-tensor operations."""

    @torch.no_grad()
    def step(self):
        self.t += 1
        b1, b2 = self.betas
        step_size = self.lr * math.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        grads = [p.grad if p.grad is not None else torch.zeros_like(p) for p in self.params]
        torch._foreach_mul_(self.m, b1)
        torch._foreach_add_(self.m, grads, alpha=1 - b1)
        torch._foreach_mul_(self.v, b2)
        torch._foreach_addcmul_(self.v, grads, grads, value=1 - b2)
        denom = torch._foreach_sqrt(self.v)
        torch._foreach_add_(denom, self.eps)
        torch._foreach_addcdiv_(self.params, self.m, denom, value=-step_size)


class PacoSacStacked(PacoSac):
    """The same update with learner/paco's layout: actor, twin critics and
    twin targets as stacked networks, foreach TF-Adam, and either the
    composed or the output-space path."""

    adam = AdamTFForeach

    def __init__(self, args, device, form):
        self.form = form
        super().__init__(args, device)

    def build_networks(self, k, h, device):
        self.actor = StackedNet(1, k, [OBS_DIM] + h + [2 * ACTION_DIM], "xavier", "head",
                                device, self.form)
        critic_sizes = [OBS_DIM + ACTION_DIM] + h + [1]
        self.critic = StackedNet(2, k, critic_sizes, "fan_in", "out", device, self.form)
        self.target = StackedNet(2, k, critic_sizes, "fan_in", "out", device, self.form)
        return self.actor.parameters(), self.critic.parameters(), self.target.parameters()

    # c (each sample's vector) is what the official form needs; these take
    # w and the task ids, as learner/paco does.
    def actor_out(self, states, c, task):
        return self.actor(states, self.w, task, detach=False)[0]

    def q_values(self, sa, c, task, detach_w):
        return self.critic(sa, self.w.detach() if detach_w else self.w, task, detach=False)

    def target_q_values(self, sa, c, task):
        return self.target(sa, self.w.detach(), task, detach=True)

    def polyak(self, tau):
        targets = self.target.parameters()
        torch._foreach_mul_(targets, 1 - tau)
        torch._foreach_add_(targets, self.critic.parameters(), alpha=tau)

    def dumped_parameters(self, with_targets=True):
        nets = [("actor", self.actor), ("critic", self.critic)]
        if with_targets:
            nets.append(("target_critic", self.target))
        for prefix, net in nets:
            for i, (weight, bias) in enumerate(zip(net.weights, net.biases)):
                yield f"{prefix}.net.layer{i}.weight", None, weight
                yield f"{prefix}.net.layer{i}.bias", None, bias


FORMS = ("official", "composed", "output_space")
FORM_TEXT = {
    "official": "output-space mixing, critics in a loop, AdamTF per parameter",
    "composed": "per-task weights composed, grouped matmuls, stacked critics, foreach AdamTF",
    "output_space": "output-space mixing, stacked critics, foreach AdamTF",
}


def make_model(args, device, form):
    return PacoSac(args, device) if form == "official" else PacoSacStacked(args, device, form)


def load_dump(directory):
    """Tensors written by taco_bench_learner --crosscheck: manifest lines
    'name dtype dim...' and raw little-endian files name.bin."""
    tensors = {}
    with open(f"{directory}/manifest.txt") as manifest:
        for line in manifest:
            name, dtype, *dims = line.split()
            torch_dtype = {"f32": torch.float32, "i64": torch.int64}[dtype]
            with open(f"{directory}/{name}.bin", "rb") as f:
                data = bytearray(f.read())
            tensors[name] = torch.frombuffer(data, dtype=torch_dtype).reshape(
                [int(d) for d in dims]).clone()
    return tensors


def crosscheck(directory):
    """Recomputes one learner update from its dumped state in every form and
    compares each with the learner's."""
    t = load_dump(directory)
    failures = []
    for form in FORMS:
        print(f"form {form}:")
        failures += [name for name in crosscheck_form(t, form) if name not in failures]
    with open(f"{directory}/failures.txt", "w") as out:
        out.writelines(name + "\n" for name in failures)
    print(json.dumps({"crosscheck_failures": failures}))
    return 1 if failures else 0


def crosscheck_form(t, form):
    hidden = [int(x) for x in t["hidden_sizes"].tolist()]
    k, tasks = t["before.task_weights"].shape
    args = argparse.Namespace(tasks=tasks, components=k, hidden=hidden, discount=0.99, tau=0.005,
                              threshold=3e3)
    model = make_model(args, torch.device("cpu"), form)

    def part(tensor, r):
        return tensor if r is None else tensor[r]

    with torch.no_grad():
        for name, r, p in model.dumped_parameters():
            p.copy_(part(t["before." + name], r))
        model.w.copy_(t["before.task_weights"])
        model.log_alpha.copy_(t["before.log_alpha"])
    batch = {name: t[name] for name in
             ("obs", "action", "reward", "next_obs", "terminal", "truncated", "task")}
    failures = []

    def check(name, got, want, rtol, atol=0.0):
        scale = want.abs().max().item() if want.numel() else 0.0
        diff = (got - want).abs().max().item() if want.numel() else 0.0
        ok = diff <= atol + rtol * max(scale, 1e-12)
        print(f"  {'ok ' if ok else 'BAD'} {name:40s} max|diff| {diff:.3e} (scale {scale:.3e})")
        if not ok:
            failures.append(name)

    def gradients():
        for name, r, p in model.dumped_parameters(with_targets=False):
            yield "grad." + name, r, p
        yield "grad.task_weights", None, model.w
        yield "grad.log_alpha", None, model.log_alpha

    def label(name, r):
        return name if r is None else name + f"[{r}]"

    def compare_and_adopt_gradients():
        for name, r, p in gradients():
            check(label(name, r), p.grad, part(t[name], r), 1e-4)
        # The optimizer step is then checked on its own, from the learner's
        # own gradients: at step 1 TF-Adam moves an entry by lr·g/(|g| + 3e-6),
        # so a gradient that agrees to 1e-4 relative can still move an entry
        # with |g| near 3e-6 by a sizeable part of lr.
        for name, r, p in gradients():
            p.grad = part(t[name], r).clone()

    loss = model.update(**batch, eps=t["noise"], after_backward=compare_and_adopt_gradients)
    check("loss", torch.tensor([loss]), t["loss"], 1e-5)
    # After the step, from the same gradients: float rounding only. Every
    # learning rate is ≥ 1e-4, so a missing, sign-flipped or doubled step of
    # any entry with a gradient well above 3e-6 exceeds this bound many times.
    step_atol = 1e-6
    masked = model.last_masked
    check("masked tasks", masked.float(), t["masked"], 0.0)
    with torch.no_grad():
        for name, r, p in model.dumped_parameters():
            check(label("after." + name, r), p, part(t["after." + name], r), 0.0, atol=step_atol)
        keep = ~masked  # masked columns were reset with each side's own random draws
        check("after.task_weights (unmasked)", model.w[:, keep], t["after.task_weights"][:, keep],
              0.0, atol=step_atol)
        check("after.log_alpha", model.log_alpha, t["after.log_alpha"], 0.0, atol=step_atol)
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: keep default)")
    parser.add_argument("--updates", type=int, default=5, help="timed updates")
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--per_task", type=int, default=128)
    parser.add_argument("--components", type=int, default=5)
    parser.add_argument("--hidden", type=int, nargs="+", default=[400, 400, 400])
    parser.add_argument("--discount", type=float, default=0.99)
    parser.add_argument("--tau", type=float, default=0.005)
    parser.add_argument("--threshold", type=float, default=3e3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--form", choices=FORMS, default="official",
                        help="how the update is computed (see the module docstring)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--serve", action="store_true",
                        help="after warm-up print 'ready', then run one update per 'update' line "
                             "read from stdin and print its seconds; 'quit' ends")
    parser.add_argument("--crosscheck", default="",
                        help="compare one update against a taco_bench_learner --crosscheck dump")
    args = parser.parse_args()
    if args.crosscheck:
        raise SystemExit(crosscheck(args.crosscheck))

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    model = make_model(args, device, args.form)
    b = args.tasks * args.per_task
    task = torch.arange(args.tasks).repeat_interleave(args.per_task)
    task = task[torch.randperm(b)].to(device)
    batch = dict(obs=torch.randn(b, OBS_DIM, device=device),
                 action=torch.rand(b, ACTION_DIM, device=device) * 2 - 1,
                 reward=torch.rand(b, device=device) * 10,
                 next_obs=torch.randn(b, OBS_DIM, device=device),
                 terminal=torch.zeros(b, device=device),
                 truncated=torch.zeros(b, device=device), task=task)
    for _ in range(args.warmup):
        model.update(**batch)
    if args.serve:
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {device}, "
              f"batch {b}, form {args.form}: {FORM_TEXT[args.form]}")
        print("ready", flush=True)
        for line in sys.stdin:
            if line.strip() != "update":
                break
            start = time.perf_counter()
            model.update(**batch)
            print(f"{time.perf_counter() - start:.6f}", flush=True)
        return
    # Each update timed alone; the median (as taco_bench_learner reports for
    # its own updates) shrugs off load spikes on a shared machine.
    times = []
    for _ in range(args.updates):
        start = time.perf_counter()
        loss = model.update(**batch)
        times.append(time.perf_counter() - start)
    elapsed = sum(times)
    median = statistics.median(times)
    rate = 1.0 / median
    print(f"reference: {args.updates} updates in {elapsed:.3f} s "
          f"(mean {args.updates / elapsed:.3f} updates/s), median update {1e3 * median:.1f} ms "
          f"= {rate:.3f} updates/s (torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"device {device}, batch {b}, form {args.form}, last loss {loss:.3f})")
    print(json.dumps({"reference_updates_per_s": rate, "threads": torch.get_num_threads(),
                      "torch": torch.__version__, "device": str(device), "form": args.form}))


if __name__ == "__main__":
    main()
