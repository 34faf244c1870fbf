"""The ``site-builder`` console entry point: ``search`` is answered without importing click.

A query is one short process, and importing click, the command group and its modules costs
more than the query. So a plain ``site-builder [--config FILE] search [OPTIONS] QUERY...``
is parsed here with click's rules for these options and run directly; anything else (help,
version, a malformed or unknown option, another command) goes to the click group in cli.py,
which defines every command and prints every usage error. The flags here must stay those of
``cli.search`` (tests/test_search_cli_startup.py compares the two).
"""

from __future__ import annotations

import sys

SEARCH_VALUES = {"--region": "region", "--year": "year", "--kind": "kind", "--limit": "limit"}
INTEGERS = ("year", "limit")


def parse_search(argv: list[str]) -> dict | None:
    """The search request in ``argv``, or None when click should handle the command line."""
    config = "config.yaml"
    i = 0
    while i < len(argv) and argv[i].startswith("-"):  # group options
        arg = argv[i]
        if arg == "--config" and i + 1 < len(argv):
            config, i = argv[i + 1], i + 2
        elif arg.startswith("--config="):
            config, i = arg.partition("=")[2], i + 1
        else:
            return None
    if i >= len(argv) or argv[i] != "search" or not config:
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
    from pathlib import Path

    from .search.command import echo, search_project

    config_path = Path(request.pop("config"))
    if config_path.is_dir():
        return -1  # click's error for a folder
    root = config_path.parent
    stamp = _stamp(config_path)
    if not config_known_good(config_path, stamp):
        from .config import load_config
        from .errors import SiteError

        try:
            root = load_config(config_path).root
        except SiteError as exc:
            for d in exc.diagnostics:
                echo(str(d), err=True)
            return 2
        remember_good_config(config_path, stamp)
    return search_project(root, " ".join(request.pop("query")), **request)


# A query needs only the config file's folder, but a broken config must still be reported,
# and parsing it costs more than the query (yaml, dataclasses, typing). So the exact bytes
# of a config that loaded cleanly are kept beside the index, with the identity of the code
# that checked them; an identical file is known good without parsing it again.
CONFIG_STAMP = "cli-config-ok"


def _stamp(config_path) -> bytes | None:
    from pathlib import Path

    from . import __version__

    try:
        data = config_path.read_bytes()
        code = Path(__file__).with_name("config.py").stat()
    except OSError:
        return None
    head = f"site-builder {__version__} config.py {code.st_size} {code.st_mtime_ns}\n"
    return head.encode() + data


def _stamp_path(config_path):
    from .search.indexer import index_dir_of

    return index_dir_of(config_path.parent) / CONFIG_STAMP


def config_known_good(config_path, stamp: bytes | None) -> bool:
    try:
        return stamp is not None and _stamp_path(config_path).read_bytes() == stamp
    except OSError:
        return False


def remember_good_config(config_path, stamp: bytes | None) -> None:
    """Keep the stamp taken before the file was loaded, if the file is still the same (only
    where an index exists: nothing else is created)."""
    import os

    where = _stamp_path(config_path)
    if stamp is None or _stamp(config_path) != stamp or not where.parent.is_dir():
        return
    temp = where.with_name(f".{where.name}.{os.getpid()}.tmp")
    try:
        temp.write_bytes(stamp)
        os.replace(temp, where)
    except OSError:
        pass
    finally:
        temp.unlink(missing_ok=True)


def main() -> None:
    request = parse_search(sys.argv[1:])
    code = -1
    if request is not None:
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
        from .cli import main as click_main

        click_main()
        return
    sys.exit(code)
