"""``python -m dgops.web.dashboard.passwd USERNAME``: prints the ``DGOPS_WEB_MANAGERS`` entry
(username and argon2id hash) for a password typed twice; the password is never echoed."""

from __future__ import annotations

import getpass
import json
import sys

from dgops.web.dashboard.auth import hash_manager_password


def main(argv: list[str] | None = None) -> int:
    """Ask for a password and print ``{"USERNAME": "$argon2id$..."}``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m dgops.web.dashboard.passwd USERNAME", file=sys.stderr)
        return 2
    first = getpass.getpass("รหัสผ่าน / password: ")
    if len(first) < 12 or first != getpass.getpass("อีกครั้ง / again: "):
        print("รหัสผ่านไม่ตรงกันหรือสั้นกว่า 12 ตัวอักษร / mismatch or shorter than 12", file=sys.stderr)
        return 1
    print(json.dumps({args[0].strip().lower(): hash_manager_password(first)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
