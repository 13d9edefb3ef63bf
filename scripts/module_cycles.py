#!/usr/bin/env python3
"""Fails when the top-level modules of a crate import each other in a cycle.

For each crate source root given (its `src` folder), every non-test `.rs`
file is read; a file belongs to the top-level module named by its first path
component under `src`. A reference from module A to module B is any
`crate::B` path (also inside `use crate::{B, ...}`) or a `super::` chain that
climbs to the crate root. Tests are left out: files named `tests.rs`, the
`tests/` folders, and everything after a `#[cfg(test)]` line (our test
modules close their files). A module and its own submodules may refer to
each other; two top-level modules that reach each other are a cycle.

Usage: module_cycles.py [--self-test] CRATE_SRC...   (exit 1 and the cycles
when any; --self-test first proves on made-up crates that it finds one)
"""
import re
import sys
from pathlib import Path

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.split("//", 1)[0] for line in text.splitlines())


def non_test_part(text: str) -> str:
    match = re.search(r"^\s*#\[cfg\(test\)\]", text, flags=re.M)
    return text[: match.start()] if match else text


def brace_group(text: str, start: int) -> str:
    """The text inside the braces opening at `start`."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : i]
    return text[start + 1 :]


def top_level_names(group: str) -> list[str]:
    names, depth, current = [], 0, ""
    for ch in group + ",":
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            name = re.match(r"\s*(" + IDENT + ")", current)
            if name:
                names.append(name.group(1))
            current = ""
        else:
            current += ch
    return names


def module_path(src: Path, file: Path) -> list[str]:
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return parts


def references(src: Path, file: Path, text: str) -> set[str]:
    found = set()
    path = module_path(src, file)
    for match in re.finditer(r"\b((?:super::)+|crate::)(\{|" + IDENT + ")", text):
        prefix, head = match.group(1), match.group(2)
        if prefix == "crate::":
            base = []
        else:
            climbs = prefix.count("super::")
            # `super` of the module this file is; a mod.rs is its folder's module.
            if climbs > len(path):
                continue
            base = path[: len(path) - climbs]
        if base:
            found.add(base[0])
        elif head == "{":
            found.update(top_level_names(brace_group(text, match.end(2) - 1)))
        else:
            found.add(head)
    return found


def graph_of(src: Path) -> dict[str, set[str]]:
    modules = {
        p.stem if p.is_file() else p.name
        for p in src.iterdir()
        if (p.suffix == ".rs" and p.stem not in ("lib", "main")) or p.is_dir()
    }
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for file in sorted(src.rglob("*.rs")):
        rel = file.relative_to(src)
        if file.name == "tests.rs" or "tests" in rel.parts[:-1]:
            continue
        owner = module_path(src, file)
        if not owner:
            continue  # lib.rs / main.rs: the crate root declares everything
        text = non_test_part(strip_comments(file.read_text()))
        for target in references(src, file, text):
            if target in modules and target != owner[0]:
                edges[owner[0]].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def self_test() -> None:
    """The check catches a cycle, through `use`, a path, a brace group or
    `super`, and leaves tests and submodules alone."""
    import tempfile

    def crate(files: dict[str, str]) -> Path:
        src = Path(tempfile.mkdtemp()) / "src"
        for name, text in files.items():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            (src / name).write_text(text)
        return src

    cyclic = crate({
        "lib.rs": "mod a; mod b; mod c;",
        "a.rs": "use crate::{c::X, b};",
        "b/mod.rs": "mod inner;",
        "b/inner.rs": "fn f() { super::super::c::g(); }",
        "c.rs": "pub fn g() { crate::a::h() }",
    })
    assert cycles(graph_of(cyclic)) == [["a", "b", "c"]], graph_of(cyclic)
    clean = crate({
        "lib.rs": "mod a; mod b;",
        "a.rs": "use crate::b::X;\n#[cfg(test)]\nmod tests { use crate::a; }",
        "b/mod.rs": "mod c; use self::c::Y; // crate::a in a comment\n",
        "b/c.rs": "use super::X;",
        "b/tests.rs": "use crate::a::Z;",
    })
    assert cycles(graph_of(clean)) == [], graph_of(clean)


def main() -> int:
    args = sys.argv[1:]
    if args[:1] == ["--self-test"]:
        self_test()
        args = args[1:]
    failed = False
    for root in args:
        src = Path(root)
        edges = graph_of(src)
        for component in cycles(edges):
            failed = True
            print(f"{src}: import cycle between {', '.join(component)}")
            for m in component:
                inside = sorted(edges[m] & set(component))
                print(f"  {m} -> {', '.join(inside)}")
    if failed:
        print("module_cycles: a top-level module may not reach back to one that uses it")
        return 1
    return 0


if __name__ == "__main__":
    sys.setrecursionlimit(10000)
    sys.exit(main())
