#!/usr/bin/env python3
"""Acts with a policy that `taco export` wrote, using PyTorch alone.

    python3 act_with_exported_policy.py POLICY.pt TASK [OBS ...]

prints the deterministic action (tanh of the policy's mean) for one
observation of TASK: the 39 numbers given, or zeros. In your own code, import
`load_policy` and `act` from here, or copy their dozen lines.
"""
import sys

import torch


def load_policy(path):
    # taco writes (key, value) pairs, which every torch.load accepts,
    # weights_only included.
    return dict(torch.load(path, weights_only=True))


def act(policy, task, obs, deterministic=True):
    """obs: [N, obs_dim] or [obs_dim] floats; returns actions in [-1, 1]."""
    t = policy["tasks"].index(task)
    h = torch.as_tensor(obs, dtype=torch.float32)
    layers = list(zip(policy["weights"], policy["biases"]))
    for i, (weight, bias) in enumerate(layers):
        # The task's composed parameters theta_t = Phi w_t.
        h = h @ weight[t].T + bias[t]
        if i + 1 < len(layers):
            h = torch.relu(h)
    a = policy["action_dim"]
    mean, log_std = h[..., :a], h[..., a:2 * a]
    if deterministic:
        return torch.tanh(mean)
    log_std = log_std.clamp(float(policy["log_std_min"]), float(policy["log_std_max"]))
    return torch.tanh(mean + log_std.exp() * torch.randn_like(mean))


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    policy = load_policy(argv[1])
    obs = [float(x) for x in argv[3:]] or [0.0] * policy["obs_dim"]
    if len(obs) != policy["obs_dim"]:
        sys.exit(f"expected {policy['obs_dim']} observation values, got {len(obs)}")
    action = act(policy, argv[2], obs)
    print(" ".join(f"{x:.7f}" for x in action.tolist()))


if __name__ == "__main__":
    main(sys.argv)
