"""Write the sample company's files next to this script (or into --out).

    python sample_data/generate.py [--users 300] [--seed 2025]

The generator itself is `synctui.demo.company`; the files it writes are committed, and a test
checks they are what it generates.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from synctui.demo.company import SAMPLE_SEED, SAMPLE_USERS, sample_files

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=SAMPLE_USERS)
    parser.add_argument("--seed", type=int, default=SAMPLE_SEED)
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: next to this script)")
    arguments = parser.parse_args(argv)
    for name, data in sample_files(arguments.users, arguments.seed).items():
        (arguments.out / name).write_bytes(data)
        print(f"wrote {arguments.out / name}")


if __name__ == "__main__":
    main()
