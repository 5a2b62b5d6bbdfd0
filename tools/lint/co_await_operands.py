#!/usr/bin/env python3
"""Fails when a co_await is an operand that may not be evaluated: the right side of && or ||, or a
branch of ?:. GCC 12 (Debian 12's compiler, which builds onair) miscompiles these: measured with
boost::asio::awaitable, `co_return a && co_await f();` runs f() even when a is false, and
`if (a && co_await f())` can hang or end the program (docs/decisions.md, "No co_await where it may
not run"). Write the condition out as nested ifs instead.

Usage: co_await_operands.py DIR...   (prints file:line of each finding; exit 1 when there is one)
"""
import pathlib
import re
import sys

# An operator after which the next operand may be skipped, then (through `!`, `(` and blanks,
# line breaks included) a co_await.
PATTERN = re.compile(r"(&&|\|\||\?)[\s!(]*co_await\b")
LINE_COMMENT = re.compile(r"//[^\n]*")


def findings(root: pathlib.Path):
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".cpp", ".hpp", ".h", ".cc"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        code = LINE_COMMENT.sub(lambda m: " " * len(m.group(0)), text)
        for m in PATTERN.finditer(code):
            yield f"{path}:{code.count(chr(10), 0, m.start()) + 1}: co_await after {m.group(1)}"


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    found = [f for d in argv[1:] for f in findings(pathlib.Path(d))]
    for f in found:
        print(f)
    if not found:
        print("no co_await in an operand that may be skipped")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
