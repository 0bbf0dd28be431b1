"""python -m samples OUT_DIR [--bureau [NAME]] [--departments N] [--seed S] [--years 2023 2024] [--layouts …]
[--variants]

Without --bureau: N departments (default 12) spread over the provinces' layouts, one district each.
With --bureau: a district finance bureau's documents (samples/data/bureau_NAME.yaml, default jinkouhe):
its departments over three years, units, a renamed department, publisher's errors, a neighbour district;
--departments N keeps the district's first N departments."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from samples.bureau import BUREAU, bureau_names, generate_bureau_corpus
from samples.corpus import generate_corpus
from samples.layouts import load_layouts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m samples", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out_dir", type=Path)
    parser.add_argument(
        "--bureau", nargs="?", const=BUREAU, choices=bureau_names(), help=f"a bureau's corpus (default {BUREAU})"
    )
    parser.add_argument("--departments", type=int, default=None)
    parser.add_argument("--seed", type=int, default=20240101)
    parser.add_argument("--years", type=int, nargs="+", default=[2023, 2024])
    parser.add_argument("--layouts", nargs="+", choices=sorted(load_layouts()), default=None)
    parser.add_argument("--variants", action="store_true", help="add the variant layouts (other provinces)")
    args = parser.parse_args(argv)
    if args.departments is not None and args.departments < 1:
        parser.error("--departments must be at least 1")
    started = time.perf_counter()
    if args.bureau:
        paths = generate_bureau_corpus(args.out_dir, args.bureau, args.departments)
    else:
        departments = 12 if args.departments is None else args.departments
        paths = generate_corpus(args.out_dir, departments, tuple(args.years), args.seed, args.layouts, args.variants)
    elapsed = time.perf_counter() - started
    print(f"{len(paths)} documents written to {args.out_dir} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
