"""The bins family's random reset spaces, as Meta-World v2.0.0 draws them.

Written from the Python sources (metaworld/envs/mujoco/sawyer_xyz/v2/): each task's
_random_reset_space = Box(hstack(obj_low, goal_low), hstack(obj_high, goal_high)) (float32 bounds),
and the condition its reset_model loops on ("while ...: self._get_state_rand_vec()"). Each redraw
function takes the float64 vector and returns True while the original would draw again; None means
the reset draws once.
"""
import numpy as np


def _xy_closer_than(limit):
    # np.linalg.norm(goal_pos[:2] - goal_pos[-3:-1]) < limit on the 6-number vector.
    def redraw(vec):
        return np.linalg.norm(vec[:2] - vec[3:5]) < limit

    return redraw


TASKS = [
    # sawyer_basketball_v2.py: obj (-0.1, 0.6, 0.0299)..(0.1, 0.7, 0.0301),
    # goal (-0.1, 0.85, 0.)..(0.1, 0.9 + 1e-7, 0.); basket_pos = goal_pos[3:],
    # while norm(goal_pos[:2] - basket_pos[:2]) < 0.15.
    ("basketball-v2", (-0.1, 0.6, 0.0299, -0.1, 0.85, 0.0), (0.1, 0.7, 0.0301, 0.1, 0.9 + 1e-7, 0.0),
     _xy_closer_than(0.15)),
    # sawyer_bin_picking_v2.py: obj (-0.21, 0.65, 0.02)..(-0.03, 0.75, 0.02),
    # goal (0.1199, 0.699, -0.001)..(0.1201, 0.701, 0.001); one draw ("if self.random_init:
    # self._get_state_rand_vec()[:2]"), no loop.
    ("bin-picking-v2", (-0.21, 0.65, 0.02, 0.1199, 0.699, -0.001),
     (-0.03, 0.75, 0.02, 0.1201, 0.701, 0.001), None),
    # sawyer_box_close_v2.py: obj (-0.05, 0.5, 0.02)..(0.05, 0.55, 0.02),
    # goal (-0.1, 0.7, 0.133)..(0.1, 0.8, 0.133); while norm(goal_pos[:2] - goal_pos[-3:-1]) < 0.25.
    ("box-close-v2", (-0.05, 0.5, 0.02, -0.1, 0.7, 0.133), (0.05, 0.55, 0.02, 0.1, 0.8, 0.133),
     _xy_closer_than(0.25)),
    # sawyer_hand_insert_v2.py: obj (-0.1, 0.6, 0.05)..(0.1, 0.7, 0.05),
    # goal (-0.04, 0.8, -0.0201)..(0.04, 0.88, -0.0199); while norm(goal_pos[:2] - goal_pos[-3:-1]) < 0.15.
    ("hand-insert-v2", (-0.1, 0.6, 0.05, -0.04, 0.8, -0.0201), (0.1, 0.7, 0.05, 0.04, 0.88, -0.0199),
     _xy_closer_than(0.15)),
]
