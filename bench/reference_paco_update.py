#!/usr/bin/env python3
"""Reference PaCo-SAC update in PyTorch eager, for taco_bench_learner.

The same update as learner/paco (see ../shared/spec/paco-sac.md §2–§4), written
the way the official ALF code computes it:
  * CompositionalFC mixes in output space: every component's W_k x + b_k for
    every sample (one batched matmul over K), then a per-sample bmm with w;
  * the two critics are separate networks evaluated in a loop
    (NaiveParallelNetwork), and so are their targets;
  * TF-style Adam steps every parameter in a Python loop (ALF's AdamTF).
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
    def __init__(self, args, device):
        k, t, h = args.components, args.tasks, args.hidden
        self.args, self.device = args, device
        self.actor = Mlp(k, [OBS_DIM] + h + [2 * ACTION_DIM], "xavier", "head", device)
        critic_sizes = [OBS_DIM + ACTION_DIM] + h + [1]
        self.critics = [Mlp(k, critic_sizes, "fan_in", "out", device) for _ in range(2)]
        self.targets = [Mlp(k, critic_sizes, "fan_in", "out", device) for _ in range(2)]
        with torch.no_grad():
            for critic, target in zip(self.critics, self.targets):
                for p, q in zip(critic.parameters(), target.parameters()):
                    q.copy_(p)
                    q.requires_grad_(False)
        self.w = torch.randn(k, t, device=device, requires_grad=True)
        self.log_alpha = torch.zeros(t, device=device, requires_grad=True)
        critic_params = [p for c in self.critics for p in c.parameters()]
        self.optimizers = [AdamTF(self.actor.parameters(), 3e-4), AdamTF(critic_params, 3e-4),
                           AdamTF([self.log_alpha], 1e-4), AdamTF([self.w], 3e-4)]
        self.target_entropy = ACTION_DIM * math.log(0.2)
        self.mask_count = torch.zeros(t, dtype=torch.long)
        self.reset_count = torch.zeros(t, dtype=torch.long)

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

        out = self.actor(states, c2)
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
        c2_const = c2.detach()
        sa = torch.cat([states, a_leaf], 1)
        q_pi = torch.min(torch.stack([critic(sa, c2_const) for critic in self.critics]), 0)[0]
        dqda = torch.autograd.grad(q_pi.sum(), a_leaf)[0]
        actor_loss = 0.5 * ((a + dqda).detach() - a).pow(2).sum(1) + alpha * log_prob
        alpha_loss = log_alpha * (-log_prob.detach() - self.target_entropy)

        with torch.no_grad():
            next_a, next_lp = a[b:], log_prob[b:]
            sa1 = torch.cat([next_obs, next_a], 1)
            c1_const = c1.detach()
            q_t = torch.min(torch.stack([tc(sa1, c1_const) for tc in self.targets]), 0)[0]
            y = reward + args.discount * (1 - terminal) * (q_t.squeeze(1) - alpha[b:] * next_lp)
        sa0 = torch.cat([obs, action], 1)
        critic_loss = sum((critic(sa0, c1).squeeze(1) - y).pow(2) for critic in self.critics)

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
            for critic, target in zip(self.critics, self.targets):
                for p, q in zip(critic.parameters(), target.parameters()):
                    q.mul_(1 - args.tau).add_(p, alpha=args.tau)
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
    """Recomputes one learner update from its dumped state and compares."""
    t = load_dump(directory)
    hidden = [int(x) for x in t["hidden_sizes"].tolist()]
    k, tasks = t["before.task_weights"].shape
    args = argparse.Namespace(tasks=tasks, components=k, hidden=hidden, discount=0.99, tau=0.005,
                              threshold=3e3)
    model = PacoSac(args, torch.device("cpu"))

    def networks(state):
        yield "actor", 0, model.actor
        for r in range(2):
            yield "critic", r, model.critics[r]
            yield "target_critic", r, model.targets[r]

    with torch.no_grad():
        for prefix, r, net in networks(None):
            for i, layer in enumerate(net.layers):
                layer.weight.copy_(t[f"before.{prefix}.net.layer{i}.weight"][r])
                layer.bias.copy_(t[f"before.{prefix}.net.layer{i}.bias"][r])
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

    def compare_gradients():
        for prefix, r, net in networks(None):
            if prefix == "target_critic":
                continue
            for i, layer in enumerate(net.layers):
                for kind, p in (("weight", layer.weight), ("bias", layer.bias)):
                    name = f"grad.{prefix}.net.layer{i}.{kind}"
                    check(name + f"[{r}]", p.grad, t[name][r], 1e-4)
        check("grad.task_weights", model.w.grad, t["grad.task_weights"], 1e-4)
        check("grad.log_alpha", model.log_alpha.grad, t["grad.log_alpha"], 1e-4)

    loss = model.update(**batch, eps=t["noise"], after_backward=compare_gradients)
    check("loss", torch.tensor([loss]), t["loss"], 1e-5)
    # After the step. At step 1 Adam moves each entry by about lr·sign(g), so
    # entries with a near-zero gradient may differ by up to 2·lr.
    masked = model.last_masked
    check("masked tasks", masked.float(), t["masked"], 0.0)
    with torch.no_grad():
        for prefix, r, net in networks(None):
            for i, layer in enumerate(net.layers):
                for kind, p in (("weight", layer.weight), ("bias", layer.bias)):
                    name = f"after.{prefix}.net.layer{i}.{kind}"
                    check(name + f"[{r}]", p, t[name][r], 0.0, atol=2 * 3e-4 + 1e-6)
        keep = ~masked  # masked columns were reset with each side's own random draws
        check("after.task_weights (unmasked)", model.w[:, keep], t["after.task_weights"][:, keep],
              0.0, atol=2 * 3e-4 + 1e-6)
        check("after.log_alpha", model.log_alpha, t["after.log_alpha"], 0.0, atol=2 * 1e-4 + 1e-6)
    print(json.dumps({"crosscheck_failures": failures}))
    return 1 if failures else 0


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
    model = PacoSac(args, device)
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
              f"batch {b}, output-space mixing, critics in a loop, AdamTF per parameter")
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
          f"device {device}, batch {b}, last loss {loss:.3f})")
    print(json.dumps({"reference_updates_per_s": rate, "threads": torch.get_num_threads(),
                      "torch": torch.__version__, "device": str(device)}))


if __name__ == "__main__":
    main()
