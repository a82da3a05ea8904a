"""The assembly family's random reset spaces, as Meta-World v2.0.0 draws them.

Written from the Python sources (metaworld/envs/mujoco/sawyer_xyz/v2/): each task's
_random_reset_space = Box(hstack(obj_low, goal_low), hstack(obj_high, goal_high)) (float32 bounds),
and the condition its reset_model loops on ("while ...: self._get_state_rand_vec()"). Each redraw
function takes the float64 vector and returns True while the original would draw again.
"""
import numpy as np


def _xy_closer_than(limit):
    # np.linalg.norm(first[:2] - second[:2]) < limit, first = vec[:3], second = vec[3:].
    def redraw(vec):
        return np.linalg.norm(vec[:2] - vec[3:5]) < limit

    return redraw


TASKS = [
    # sawyer_assembly_peg_v2.py: obj (0, 0.6, 0.02) fixed, goal (-0.1, 0.75, 0.1)..(0.1, 0.85, 0.1);
    # while norm(goal_pos[:2] - goal_pos[-3:-1]) < 0.1.
    ("assembly-v2", (0, 0.6, 0.02, -0.1, 0.75, 0.1), (0, 0.6, 0.02, 0.1, 0.85, 0.1),
     _xy_closer_than(0.1)),
    # sawyer_disassemble_peg_v2.py: obj_low (0.1, 0.6, 0.025), obj_high (0., 0.75, 0.02501) (x bounds
    # swapped in the original), goal (-0.1, 0.6, 0.1699)..(0.1, 0.75, 0.1701); same loop.
    ("disassemble-v2", (0.1, 0.6, 0.025, -0.1, 0.6, 0.1699), (0.0, 0.75, 0.02501, 0.1, 0.75, 0.1701),
     _xy_closer_than(0.1)),
    # sawyer_pick_place_wall_v2.py: obj (-0.05, 0.6, 0.015)..(0.05, 0.65, 0.015),
    # goal (-0.05, 0.85, 0.05)..(0.05, 0.9, 0.3); while norm(goal_pos[:2] - _target_pos[:2]) < 0.15.
    ("pick-place-wall-v2", (-0.05, 0.6, 0.015, -0.05, 0.85, 0.05), (0.05, 0.65, 0.015, 0.05, 0.9, 0.3),
     _xy_closer_than(0.15)),
    # sawyer_pick_out_of_hole_v2.py: obj (0, 0.75, 0.02) fixed, goal (-0.1, 0.5, 0.15)..(0.1, 0.6, 0.3);
    # while norm(pos_obj[:2] - pos_goal[:2]) < 0.15.
    ("pick-out-of-hole-v2", (0, 0.75, 0.02, -0.1, 0.5, 0.15), (0, 0.75, 0.02, 0.1, 0.6, 0.3),
     _xy_closer_than(0.15)),
]
