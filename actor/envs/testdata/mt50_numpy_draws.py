"""MT50's 2,500 task vectors as Meta-World v2.0.0 draws them, for the variant test.

MT50(seed) seeds NumPy's legacy global generator once, then resets each of the 50 tasks 50 times in
MT50_V2's order (metaworld/envs/mujoco/env_dict.py: the keys of its OrderedDict, where a repeated key keeps
its first place), each reset drawing uniform(low, high) between the float32 bounds of the task's gym Box
again while the task's reset loop asks for another draw. The boxes and loops come from the per-family
modules mt50_tasks_*.py beside this file (each written from the original task sources), from MT10's list in
mt10_numpy_draws.py, and, for sweep, sweep-into, lever-pull, shelf-place and door-close, from the spec
(../shared/spec/metaworld-v2-tasks.md section 4). Prints "task index x0 x1 ..." lines, as Python's repr.

    /usr/bin/python3 mt50_numpy_draws.py SEED
"""
import glob
import importlib.util
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

MT50_ORDER = [
    "assembly-v2", "basketball-v2", "bin-picking-v2", "box-close-v2", "button-press-topdown-v2",
    "button-press-topdown-wall-v2", "button-press-v2", "button-press-wall-v2", "coffee-button-v2",
    "coffee-pull-v2", "coffee-push-v2", "dial-turn-v2", "disassemble-v2", "door-close-v2",
    "door-lock-v2", "door-open-v2", "door-unlock-v2", "hand-insert-v2", "drawer-close-v2",
    "drawer-open-v2", "faucet-open-v2", "faucet-close-v2", "hammer-v2", "handle-press-side-v2",
    "handle-press-v2", "handle-pull-side-v2", "handle-pull-v2", "lever-pull-v2",
    "peg-insert-side-v2", "pick-place-wall-v2", "pick-out-of-hole-v2", "reach-v2", "push-back-v2",
    "push-v2", "pick-place-v2", "plate-slide-v2", "plate-slide-side-v2", "plate-slide-back-v2",
    "plate-slide-back-side-v2", "peg-unplug-side-v2", "soccer-v2", "stick-push-v2",
    "stick-pull-v2", "push-wall-v2", "reach-wall-v2", "shelf-place-v2", "sweep-into-v2",
    "sweep-v2", "window-open-v2", "window-close-v2",
]


def load(path):
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def xy_closer_than(distance):
    return lambda v: np.linalg.norm(v[:2] - v[3:5]) < distance


def boxes():
    tasks = {}
    for name, low, high, min_distance in load(os.path.join(HERE, "mt10_numpy_draws.py")).MT10:
        tasks[name] = (low, high, xy_closer_than(min_distance) if min_distance else None)
    tasks["door-close-v2"] = ((0, 0.85, 0.15), (0.1, 0.95, 0.15), None)
    tasks["sweep-into-v2"] = ((-0.1, 0.6, 0.02, -0.001, 0.8399, 0.0199),
                              (0.1, 0.7, 0.02, 0.001, 0.8401, 0.0201),
                              lambda v: np.linalg.norm(v[:2] - np.array([0, 0.84])) < 0.15)
    tasks["sweep-v2"] = ((-0.1, 0.6, 0.02), (0.1, 0.7, 0.02), None)
    tasks["lever-pull-v2"] = ((-0.1, 0.7, 0), (0.1, 0.8, 0), None)
    tasks["shelf-place-v2"] = ((-0.1, 0.5, 0.019, -0.1, 0.8, 0.299),
                               (0.1, 0.6, 0.021, 0.1, 0.9, 0.301), xy_closer_than(0.1))
    for path in sorted(glob.glob(os.path.join(HERE, "mt50_tasks_*.py"))):
        for name, low, high, redraw in load(path).TASKS:
            tasks[name] = (low, high, redraw)
    return tasks


def main():
    tasks = boxes()
    missing = [name for name in MT50_ORDER if name not in tasks]
    if missing:
        sys.exit("no random box for " + ", ".join(missing))
    np.random.seed(int(sys.argv[1]))
    for name in MT50_ORDER:
        low, high, redraw = tasks[name]
        low = np.array(low, dtype=np.float32)
        high = np.array(high, dtype=np.float32)
        for index in range(50):
            vec = np.random.uniform(low, high, size=low.size)
            while redraw is not None and redraw(vec):
                vec = np.random.uniform(low, high, size=low.size)
            print(name, index, " ".join(repr(float(x)) for x in vec))


if __name__ == "__main__":
    main()
