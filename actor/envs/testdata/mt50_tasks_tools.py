"""The tools family's random reset spaces, from Meta-World v2.0.0's env classes.

TASKS lists (name, box low, box high, redraw) with the bounds as the Python source writes them (the
test rounds them to float32 as gym's Box does). redraw(vec) is True while the original's reset_model
would draw again.

Sources: metaworld/envs/mujoco/sawyer_xyz/v2/sawyer_hammer_v2.py,
sawyer_peg_unplug_side_v2.py, sawyer_stick_push_v2.py, sawyer_stick_pull_v2.py.
"""
import numpy as np


def _stick_near_goal(vec):
    # reset_model: while np.linalg.norm(goal_pos[:2] - goal_pos[-3:-1]) < 0.1
    return np.linalg.norm(vec[:2] - vec[-3:-1]) < 0.1


TASKS = [
    # _random_reset_space = Box(obj_low, obj_high); no loop.
    ("hammer-v2", (-0.1, 0.4, 0.0), (0.1, 0.5, 0.0), None),
    # _random_reset_space = Box(obj_low, obj_high) (the wall's position); no loop.
    ("peg-unplug-side-v2", (-0.25, 0.6, -0.001), (-0.15, 0.8, 0.001), None),
    # Box(hstack(obj_low, goal_low), hstack(obj_high, goal_high)).
    ("stick-push-v2", (-0.08, 0.58, 0.000, 0.399, 0.55, 0.1319),
     (-0.03, 0.62, 0.001, 0.401, 0.6, 0.1321), _stick_near_goal),
    ("stick-pull-v2", (-0.1, 0.55, 0.000, 0.35, 0.45, 0.0199),
     (0.0, 0.65, 0.001, 0.45, 0.55, 0.0201), _stick_near_goal),
]
