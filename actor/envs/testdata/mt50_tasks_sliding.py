"""Random reset spaces of the sliding family, for the MT50 NumPy draw test.

Written from Meta-World v2.0.0's env classes
(metaworld/envs/mujoco/sawyer_xyz/v2/sawyer_*_v2.py): each task's
_random_reset_space is Box(hstack(obj_low, goal_low), hstack(obj_high,
goal_high)); `redraw` is True while the class's reset_model would call
_get_state_rand_vec() again.
"""

import numpy as np


def _puck_near_goal(vec):
    # push-back, push-wall, reach-wall and soccer: `while
    # norm(goal_pos[:2] - target[:2]) < 0.15`, where target's x and y are
    # goal_pos[3:5].
    return np.linalg.norm(vec[:2] - vec[3:5]) < 0.15


TASKS = [
    # The plate tasks draw once, with no loop.
    ("plate-slide-v2", (0.0, 0.6, 0.0, -0.1, 0.85, 0.0), (0.0, 0.6, 0.0, 0.1, 0.9, 0.0), None),
    ("plate-slide-side-v2", (0.0, 0.6, 0.0, -0.3, 0.54, 0.0), (0.0, 0.6, 0.0, -0.25, 0.66, 0.0),
     None),
    ("plate-slide-back-v2", (0.0, 0.85, 0.0, -0.1, 0.6, 0.015), (0.0, 0.85, 0.0, 0.1, 0.6, 0.015),
     None),
    ("plate-slide-back-side-v2", (-0.25, 0.6, 0.0, -0.05, 0.6, 0.015),
     (-0.25, 0.6, 0.0, 0.15, 0.6, 0.015), None),
    ("push-back-v2", (-0.1, 0.8, 0.02, -0.1, 0.6, 0.0199), (0.1, 0.85, 0.02, 0.1, 0.7, 0.0201),
     _puck_near_goal),
    ("push-wall-v2", (-0.05, 0.6, 0.015, -0.05, 0.85, 0.01), (0.05, 0.65, 0.015, 0.05, 0.9, 0.02),
     _puck_near_goal),
    ("reach-wall-v2", (-0.05, 0.6, 0.015, -0.05, 0.85, 0.05), (0.05, 0.65, 0.015, 0.05, 0.9, 0.3),
     _puck_near_goal),
    ("soccer-v2", (-0.1, 0.6, 0.03, -0.1, 0.8, 0.0), (0.1, 0.7, 0.03, 0.1, 0.9, 0.0),
     _puck_near_goal),
]
