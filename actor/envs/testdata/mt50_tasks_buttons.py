"""Random reset spaces of the buttons family as Meta-World v2.0.0 defines them.

Written from the original environment classes (metaworld/envs/mujoco/sawyer_xyz/v2/sawyer_*_v2.py):
each entry is (name, low, high, redraw) with the bounds of the task's `_random_reset_space` as
written in Python (gym rounds them to float32 when it builds the Box), and `redraw` a function of
the float64 draw that returns True while the task's `reset_model` would draw again, or None when it
keeps the first draw.
"""
import numpy as np


def _mug_too_close_to_goal(vec):
    # coffee-pull-v2 and coffee-push-v2 split the draw into mug start and mug goal and draw again
    # while they are closer than 0.15 in the xy plane.
    start, goal = np.split(vec, 2)
    return np.linalg.norm(start[:2] - goal[:2]) < 0.15


TASKS = [
    ("button-press-topdown-wall-v2", (-0.1, 0.8, 0.115), (0.1, 0.9, 0.115), None),
    ("button-press-v2", (-0.1, 0.85, 0.115), (0.1, 0.9, 0.115), None),
    ("button-press-wall-v2", (-0.05, 0.85, 0.1149), (0.05, 0.9, 0.1151), None),
    ("coffee-button-v2", (-0.1, 0.8, -0.001), (0.1, 0.9, 0.001), None),
    ("coffee-pull-v2", (-0.05, 0.7, -0.001, -0.1, 0.55, -0.001), (0.05, 0.75, 0.001, 0.1, 0.65, 0.001),
     _mug_too_close_to_goal),
    ("coffee-push-v2", (-0.1, 0.55, -0.001, -0.05, 0.7, -0.001), (0.1, 0.65, 0.001, 0.05, 0.75, 0.001),
     _mug_too_close_to_goal),
    ("dial-turn-v2", (-0.1, 0.7, 0.0), (0.1, 0.8, 0.0), None),
]
