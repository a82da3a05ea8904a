"""Random reset spaces of the articulated family as Meta-World v2.0.0 draws them.

Written from the v2.0.0 env sources (metaworld/envs/mujoco/sawyer_xyz/v2/sawyer_<name>_v2.py):
each task's _random_reset_space is Box(obj_low, obj_high), a float32 gym Box, and reset_model
draws one vector from it with no rejection loop, so every redraw rule is None.

TASKS = [(name, low, high, redraw_or_None), ...]; redraw(vec) would return True while the
original's reset draws again.
"""

TASKS = [
    # sawyer_door_lock_v2.py: the door body's position.
    ("door-lock-v2", (-0.1, 0.8, 0.15), (0.1, 0.85, 0.15), None),
    # sawyer_door_unlock_v2.py: the door body's position (its goal_low/high are unused).
    ("door-unlock-v2", (-0.1, 0.8, 0.15), (0.1, 0.85, 0.15), None),
    # sawyer_faucet_open_v2.py: the faucet base's position.
    ("faucet-open-v2", (-0.05, 0.8, 0.0), (0.05, 0.85, 0.0), None),
    # sawyer_faucet_close_v2.py: the faucet base's position.
    ("faucet-close-v2", (-0.1, 0.8, 0.0), (0.1, 0.85, 0.0), None),
    # sawyer_handle_press_side_v2.py: the handle box's position.
    ("handle-press-side-v2", (-0.35, 0.65, -0.001), (-0.25, 0.75, 0.001), None),
    # sawyer_handle_press_v2.py: the handle box's position (goal_low/high unused).
    ("handle-press-v2", (-0.1, 0.8, -0.001), (0.1, 0.9, 0.001), None),
    # sawyer_handle_pull_side_v2.py: the handle box's position.
    ("handle-pull-side-v2", (-0.35, 0.65, 0.0), (-0.25, 0.75, 0.0), None),
    # sawyer_handle_pull_v2.py: the handle box's position (goal_low/high unused).
    ("handle-pull-v2", (-0.1, 0.8, -0.001), (0.1, 0.9, 0.001), None),
]
