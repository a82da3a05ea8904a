"""MT10's 500 task vectors as Meta-World v2.0.0 draws them, for the variant test.

Written from the spec alone (../shared/spec/metaworld-v2-tasks.md, section 3.8 for the draw order and
section 4 for each task's random box and rejection rule), with NumPy's legacy global generator as the
reference: MT10(seed) seeds it once, then resets each task 50 times in benchmark order, and a reset
draws uniform(low, high) between the float32 bounds of the task's gym Box, again while the task's
rejection rule holds. Prints "task index x0 x1 ..." lines, each number as Python's repr.

    /usr/bin/python3 mt10_numpy_draws.py SEED
"""
import sys

import numpy as np

# (task, box low, box high, minimum xy distance between the two halves of the vector or None)
MT10 = [
    ("reach-v2", (-0.1, 0.6, 0.02, -0.1, 0.8, 0.05), (0.1, 0.7, 0.02, 0.1, 0.9, 0.3), 0.15),
    ("push-v2", (-0.1, 0.6, 0.02, -0.1, 0.8, 0.01), (0.1, 0.7, 0.02, 0.1, 0.9, 0.02), 0.15),
    ("pick-place-v2", (-0.1, 0.6, 0.02, -0.1, 0.8, 0.05), (0.1, 0.7, 0.02, 0.1, 0.9, 0.3), 0.15),
    ("door-open-v2", (0, 0.85, 0.15), (0.1, 0.95, 0.15), None),
    ("drawer-open-v2", (-0.1, 0.9, 0), (0.1, 0.9, 0), None),
    ("drawer-close-v2", (-0.1, 0.9, 0), (0.1, 0.9, 0), None),
    ("button-press-topdown-v2", (-0.1, 0.8, 0.115), (0.1, 0.9, 0.115), None),
    ("peg-insert-side-v2", (0, 0.5, 0.02, -0.35, 0.4, -0.001), (0.2, 0.7, 0.02, -0.25, 0.7, 0.001),
     0.1),
    ("window-open-v2", (-0.1, 0.7, 0.16), (0.1, 0.9, 0.16), None),
    ("window-close-v2", (0, 0.75, 0.2), (0, 0.9, 0.2), None),
]


def main():
    np.random.seed(int(sys.argv[1]))
    for name, low, high, min_distance in MT10:
        low = np.array(low, dtype=np.float32)
        high = np.array(high, dtype=np.float32)
        for index in range(50):
            vec = np.random.uniform(low, high, size=low.size)
            while min_distance is not None and np.linalg.norm(vec[:2] - vec[3:5]) < min_distance:
                vec = np.random.uniform(low, high, size=low.size)
            print(name, index, " ".join(repr(float(x)) for x in vec))


if __name__ == "__main__":
    main()
