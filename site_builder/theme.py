"""The templates a site is rendered with: the project's own ``templates/`` over the default theme.

The default theme is this repository's top-level ``templates/`` folder. A wheel ships it inside
the package as ``site_builder/templates/`` (pyproject.toml maps the folder there); a source checkout
or an editable install reads it where it is. A project overrides it file by file, as MkDocs'
``custom_dir`` and Hugo's layout lookup do: a file in the project's ``templates/`` (say
``base.html`` or ``static/style.css``) replaces the theme's file of the same relative path, and
every other file still comes from the theme.
"""

from __future__ import annotations

from pathlib import Path

from .config import Config

_PACKAGE = Path(__file__).resolve().parent


def default_theme() -> Path:
    """The default theme's folder: in the package when installed from a wheel, else the
    repository's ``templates/`` beside the package."""
    packaged = _PACKAGE / "templates"
    return packaged if packaged.is_dir() else _PACKAGE.parent / "templates"


def template_dirs(config: Config) -> list[Path]:
    """The folders templates are looked up in, first match wins: the project's, then the theme's
    (once, when the project's folder is the theme itself, as in this repository)."""
    theme = default_theme()
    own = config.templates_dir
    if own.is_dir() and own.resolve() != theme.resolve():
        return [own, theme]
    return [theme]


def theme_files(config: Config, folder: str = "") -> dict[str, Path]:
    """Every file the site's theme holds under ``folder`` (e.g. ``static``), by its path relative
    to that folder (POSIX), each from the first template folder that has it; sorted by path."""
    files: dict[str, Path] = {}
    for base in template_dirs(config):
        root = base / folder if folder else base
        if not root.is_dir():
            continue
        for path in root.rglob("*"):
            if path.is_file():
                files.setdefault(path.relative_to(root).as_posix(), path)
    return dict(sorted(files.items()))
