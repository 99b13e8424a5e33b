"""Executes fitlake's notebooks headless on the configured lakehouse (FITLAKE_LAKEHOUSE or the default).

  run_notebooks.py                 execute every notebook and save it with its outputs (what is committed)
  run_notebooks.py --check         execute, and fail when an output differs from the committed one
                   --against DIR   ... from the one in DIR instead
  run_notebooks.py --out DIR       write the executed notebooks into DIR instead of in place
  run_notebooks.py NAME...         only these notebooks (file names or stems, e.g. 03_churn)

Fails (exit 1) on the first cell that raises, printing the notebook, the cell and the error. Outputs
are compared as text: numbers within the printed precision or 0.1 %, charts by their presence.
"""
import argparse
import html
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
KERNEL = "fitlake-tslab"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?(?:e[-+]?\d+)?")


def parse_args(argv):
    p = argparse.ArgumentParser(prog="npm run notebooks:execute --", description=__doc__.split("\n")[0])
    p.add_argument("notebooks", nargs="*", help="notebook names (default: every notebooks/*.ipynb)")
    p.add_argument("--check", action="store_true", help="compare the outputs with the committed ones; change nothing")
    p.add_argument("--against", type=Path, help="with --check: compare with the notebooks in this folder instead of the committed ones")
    p.add_argument("--out", type=Path, help="write executed notebooks here (default: in place, unless --check)")
    p.add_argument("--timeout", type=int, default=300, help="seconds a cell may run (default 300)")
    return p.parse_args(argv)


def select(names):
    every = sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))
    if not names:
        return every
    chosen = []
    for name in names:
        stem = Path(name).name.removesuffix(".ipynb")
        match = [nb for nb in every if nb.stem == stem]
        if not match:
            sys.exit(f"run_notebooks: no notebook named {name!r} (have: {', '.join(nb.stem for nb in every)})")
        chosen += match
    return chosen


def execute(path, timeout):
    nb = nbformat.read(path, as_version=4)
    current = {}
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL, record_timing=False, resources={"metadata": {"path": str(NOTEBOOKS)}},
                            on_cell_start=lambda cell, cell_index: current.update(index=cell_index))
    try:
        client.execute()
    except CellExecutionError as e:
        code_cell = sum(1 for c in nb.cells[: current.get("index", 0) + 1] if c.cell_type == "code")
        print(f"run_notebooks: {path.name} failed in code cell {code_cell}:\n{ANSI.sub('', str(e))}", file=sys.stderr)
        sys.exit(1)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    return nb


def output_text(output, lakehouse):
    kind = output.get("output_type")
    if kind == "stream":
        text = f"[{output['name']}] {output['text']}"
    else:
        data = output.get("data", {})
        if "image/svg+xml" in data or "<svg" in data.get("text/html", ""):
            return "[chart]"
        text = data.get("text/html") or data.get("text/plain") or ""
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"\s+", " ", ANSI.sub("", text.replace(lakehouse, "$LAKEHOUSE"))).strip()


def unit(token):
    """One unit in the last printed digit of a number token (0 for integers: they must be equal)."""
    mantissa = token.split("e")[0]
    if "." not in mantissa:
        return 0.0
    return 10.0 ** -len(mantissa.split(".")[1]) * (10.0 ** int(token.split("e")[1]) if "e" in token else 1.0)


def same_text(a, b):
    na, nb_ = NUMBER.findall(a), NUMBER.findall(b)
    if NUMBER.sub("#", a) != NUMBER.sub("#", b) or len(na) != len(nb_):
        return False
    for x, y in zip(na, nb_):
        fx, fy = float(x.replace(",", "")), float(y.replace(",", ""))
        if abs(fx - fy) > max(unit(x), unit(y), 1e-3 * max(abs(fx), abs(fy)) if unit(x) or unit(y) else 0.0) + 1e-12:
            return False
    return True


def drift(committed, executed, lakehouse):
    """Differences between a committed notebook's outputs and a fresh execution's, as lines."""
    lines = []
    cells = [(c, e) for c, e in zip(committed.cells, executed.cells) if c.cell_type == "code"]
    for i, (c, e) in enumerate(cells):
        old = [output_text(o, lakehouse) for o in c.get("outputs", [])]
        new = [output_text(o, lakehouse) for o in e.get("outputs", [])]
        if not old and new:
            lines.append(f"code cell {i + 1} has no committed output")
        elif len(old) != len(new) or not all(same_text(a, b) for a, b in zip(old, new)):
            lines.append(f"code cell {i + 1}:\n  committed: {' | '.join(old)[:400]}\n  now:       {' | '.join(new)[:400]}")
    return lines


def write(nb, path):
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".ipynb.tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
    os.replace(tmp, path)


def main(argv):
    args = parse_args(argv)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(REPO / ".venv" / "share" / "jupyter"), os.environ.get("JUPYTER_PATH")]))
    lakehouse = os.environ.get("FITLAKE_LAKEHOUSE", str(REPO / "lakehouse"))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    drifted = []
    for path in select(args.notebooks):
        started = time.monotonic()
        print(f"run_notebooks: {path.stem} ...", file=sys.stderr, flush=True)
        executed = execute(path, args.timeout)
        cells = sum(1 for c in executed.cells if c.cell_type == "code")
        print(f"run_notebooks: {path.stem}: {cells} code cells in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)
        if args.check:
            found = drift(nbformat.read((args.against or NOTEBOOKS) / path.name, as_version=4), executed, lakehouse)
            drifted += [f"{path.name}, {line}" for line in found]
        if args.out:
            write(executed, args.out / path.name)
        elif not args.check:
            write(executed, path)
    if drifted:
        print("run_notebooks: the committed outputs differ from a fresh execution (regenerate them: npm run notebooks:execute):\n" + "\n".join(drifted), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
