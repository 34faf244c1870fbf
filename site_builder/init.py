"""``site-builder init [DIR]``: start a new archive project that builds, serves and publishes.

It writes a commented ``config.yaml``, ``content/articles/`` with one example article, a
``.gitignore`` for the build products, ``requirements.txt`` naming this version of
site-builder, and the two GitHub workflows (publish to Pages, build pull requests) from the
files in ``site_builder/scaffold/``. The default theme stays in the package: a ``templates/``
folder in the project is needed only to override some of its files. Nothing is ever
overwritten: when any of these files exists, init says which and writes none of them.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import __version__, terminal
from .content.loader import ARTICLES_DIR
from .errors import display_path
from .gazetteer import default_gazetteer
from .new import article_path
from .theme import default_theme

SCAFFOLD = Path(__file__).resolve().parent / "scaffold"
EXAMPLE_YEAR = 2025
EXAMPLE_REGION = "江苏/无锡"
EXAMPLE_TITLE_SLUG = "shi-li-song-wen-nuan-zou-fang-wei-wen"


def project_files() -> dict[str, bytes]:
    """What init writes, by path relative to the project folder (POSIX), in writing order."""
    place = default_gazetteer().resolve(EXAMPLE_REGION)
    assert place is not None, EXAMPLE_REGION
    example = article_path(Path("content"), EXAMPLE_YEAR, place.slug_path, EXAMPLE_TITLE_SLUG)
    requirements = (f"# The site-builder release this archive is built with, in CI too; raise it "
                    f"to upgrade.\nsite-builder=={__version__}\n")
    return {
        "config.yaml": (SCAFFOLD / "config.yaml").read_bytes(),
        example.as_posix(): (SCAFFOLD / "article.md").read_bytes(),
        ".gitignore": (SCAFFOLD / "gitignore").read_bytes(),
        "requirements.txt": requirements.encode(),
        ".github/workflows/publish.yml": (SCAFFOLD / "workflows" / "publish.yml").read_bytes(),
        ".github/workflows/pull-request.yml":
            (SCAFFOLD / "workflows" / "pull-request.yml").read_bytes(),
    }


def init_project(folder: Path) -> int:
    """Write a new project into ``folder`` (made if missing): 0 when written, 1 when a file
    would be overwritten (nothing is written then), 2 when the folder cannot be used."""
    if folder.exists() and not folder.is_dir():
        click.echo(f"error: {display_path(folder)} is a file, not a folder", err=True)
        return 2
    files = project_files()
    taken = [name for name in files if (folder / name).exists()]
    if taken:
        for name in taken:
            click.echo(f"error: {display_path(folder / name)} already exists", err=True)
        click.echo("init writes nothing over existing files: nothing was written", err=True)
        return 1
    written: list[Path] = []
    try:
        for name, data in files.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("xb") as handle:  # "x": never replaces a file made meanwhile
                handle.write(data)
            written.append(target)
    except OSError as exc:
        click.echo(f"error: cannot write {display_path(folder / name)}: {exc.strerror or exc}",
                   err=True)
        return 2
    (folder / "content" / ARTICLES_DIR).mkdir(parents=True, exist_ok=True)
    for target in written:
        terminal.info(f"wrote {display_path(target)}")
    terminal.detail(f"theme: {default_theme()} (a file in templates/ replaces the theme's file "
                    "of the same path)")
    where = display_path(folder)
    step = "" if folder.resolve() == Path.cwd().resolve() else f"cd {where} && "
    terminal.info(f"\nnext: {step}site-builder serve   (build, preview on http://127.0.0.1:8000/)")
    return 0
