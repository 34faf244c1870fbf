"""The ``site-builder`` console entry point: ``search`` is answered without importing click.

A query is one short process, and importing click, the command group and its modules costs
more than the query. So a plain ``site-builder [--config FILE] search [OPTIONS] QUERY...``
is parsed here with click's rules for these options and run directly; anything else (help,
version, a malformed or unknown option, another command) goes to the click group in cli.py,
which defines every command and prints every usage error. The flags here must stay those of
``cli.search`` (tests/test_search_cli_startup.py compares the two).
"""

from __future__ import annotations

import gc
import os
import sys

SEARCH_VALUES = {"--region": "region", "--year": "year", "--kind": "kind", "--limit": "limit"}
INTEGERS = ("year", "limit")


def parse_search(argv: list[str]) -> dict | None:
    """The search request in ``argv``, or None when click should handle the command line."""
    config: str | None = None  # None: the nearest config.yaml (cli._config finds it the same way)
    i = 0
    while i < len(argv) and argv[i].startswith("-"):  # group options
        arg = argv[i]
        if arg == "--config" and i + 1 < len(argv):
            config, i = argv[i + 1], i + 2
        elif arg.startswith("--config="):
            config, i = arg.partition("=")[2], i + 1
        else:
            return None
    if i >= len(argv) or argv[i] != "search" or config == "":
        return None
    request: dict = {"config": config, "query": [], "region": None, "year": None,
                     "kind": None, "limit": 10, "as_json": False}
    rest = argv[i + 1:]
    i = 0
    while i < len(rest):
        arg = rest[i]
        i += 1
        if arg == "--":
            request["query"].extend(rest[i:])
            break
        if not arg.startswith("-") or arg == "-":
            request["query"].append(arg)
            continue
        name, eq, value = arg.partition("=")
        if name == "--json" and not eq:
            request["as_json"] = True
            continue
        if name not in SEARCH_VALUES:
            return None  # --help, unknown options: click's messages
        if not eq:
            if i >= len(rest) or rest[i][:1] == "-":
                return None  # missing, or a value like an option: click decides
            value, i = rest[i], i + 1
        key = SEARCH_VALUES[name]
        if key in INTEGERS:
            digits = value[1:] if value[:1] == "-" else value
            if not (digits.isascii() and digits.isdigit()):
                return None  # click reports the bad number
            request[key] = int(value)
        else:
            request[key] = value
    if not request["query"]:
        return None
    return request


def run_search(request: dict) -> int:
    """What ``cli.search`` does, for a parsed request (-1: let click do it)."""
    import os

    from .search.command import echo, search_project

    config_path = request.pop("config") or _nearest_config()
    if config_path is None or os.path.isdir(config_path):
        return -1  # click's error for a folder
    root = os.path.dirname(config_path) or "."
    stamp = _stamp(config_path)
    if not config_known_good(config_path, stamp):
        from pathlib import Path

        from .config import load_config
        from .errors import SiteError

        try:
            root = load_config(Path(config_path)).root
        except SiteError as exc:
            for d in exc.diagnostics:
                echo(str(d), err=True)
            return 2
        remember_good_config(config_path, stamp)
    return search_project(root, " ".join(request.pop("query")), **request)


def _nearest_config() -> str | None:
    """config.yaml here or in the nearest folder above, as config.find_config (which imports
    pathlib and yaml: more than a query costs)."""
    import os

    here = os.getcwd()
    folder = here
    while True:
        path = os.path.join(folder, "config.yaml")
        if os.path.isfile(path):
            return os.path.relpath(path, here)
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


# A query needs only the config file's folder, but a broken config must still be reported,
# and parsing it costs more than the query (yaml, dataclasses, typing). So the exact bytes
# of a config that loaded cleanly are kept beside the index, with the identity of the code
# that checked them; an identical file is known good without parsing it again. (Paths are
# strings here: pathlib's imports cost a query process more than its parsing.)
CONFIG_STAMP = "cli-config-ok"


def _stamp(config_path: str) -> bytes | None:
    import os

    from . import __version__

    try:
        with open(config_path, "rb") as handle:
            data = handle.read()
        code = os.stat(os.path.join(os.path.dirname(__file__), "config.py"))
    except OSError:
        return None
    head = f"site-builder {__version__} config.py {code.st_size} {code.st_mtime_ns}\n"
    return head.encode() + data


def _stamp_path(config_path: str) -> str:
    import os

    from .search.docstore import INDEX_DIR

    return os.path.join(os.path.dirname(config_path), *INDEX_DIR, CONFIG_STAMP)


def config_known_good(config_path: str, stamp: bytes | None) -> bool:
    try:
        with open(_stamp_path(config_path), "rb") as handle:
            return stamp is not None and handle.read() == stamp
    except OSError:
        return False


def remember_good_config(config_path: str, stamp: bytes | None) -> None:
    """Keep the stamp taken before the file was loaded, if the file is still the same (only
    where an index exists: nothing else is created)."""
    import os

    where = _stamp_path(config_path)
    if stamp is None or _stamp(config_path) != stamp or not os.path.isdir(os.path.dirname(where)):
        return
    temp = os.path.join(os.path.dirname(where), f".{CONFIG_STAMP}.{os.getpid()}.tmp")
    try:
        with open(temp, "wb") as handle:
            handle.write(stamp)
        os.replace(temp, where)
    except OSError:
        pass
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def main() -> None:
    request = parse_search(sys.argv[1:])
    code = -1
    if request is not None:
        # One short process per query: its objects die with it, and the cyclic collector
        # would only walk the tens of thousands of postings it decodes (~20 % of a query).
        gc.disable()
        try:
            code = run_search(request)
        except KeyboardInterrupt:  # as click's standalone mode
            sys.stderr.write("\nAborted!\n")
            sys.exit(1)
        except BrokenPipeError:  # `site-builder search ... | head`: as click
            from click.utils import PacifyFlushWrapper

            sys.stdout = PacifyFlushWrapper(sys.stdout)
            sys.stderr = PacifyFlushWrapper(sys.stderr)
            sys.exit(1)
    if code == -1:
        gc.enable()
        from .cli import main as click_main
        from .procs import settled

        was_settled = settled()  # (in a test process, an earlier in-process build did it)
        try:
            click_main()
        except SystemExit as done:
            if not was_settled and settled():
                _end_settled(done)
            raise
        return
    sys.exit(code)


def _end_settled(done: SystemExit) -> None:
    """End a process whose command settled it (a one-off build: procs.settle) without
    tearing down what it loaded, which is freed with the process anyway: at 10,000
    articles, freeing every object took a build 0.025 s after its work was done. Output is
    flushed first."""
    code = done.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 1  # as the interpreter: output that could not be written fails
    os._exit(code or 0)
