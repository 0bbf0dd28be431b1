"""python -m samples OUT_DIR [--departments N] [--seed S] [--years 2023 2024] [--layouts …] [--variants]"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from samples.corpus import generate_corpus
from samples.layouts import load_layouts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samples", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--departments", type=int, default=12)
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--years", type=int, nargs="+", default=[2023, 2024])
    parser.add_argument("--layouts", nargs="+", choices=sorted(load_layouts()), default=None)
    parser.add_argument("--variants", action="store_true", help="add the variant layouts (other provinces)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = generate_corpus(
        args.out_dir, args.departments, tuple(args.years), args.seed, args.layouts, args.variants
    )
    elapsed = time.perf_counter() - started
    print(f"{len(paths)} documents written to {args.out_dir} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
