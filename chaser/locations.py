"""Where the config and the data live. CHASER_HOME and CHASER_CONFIG override the defaults,
so tests and scripts never touch the real home directory."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "chaser"


def data_root() -> Path:
    """The folder holding every source's data (one sub-folder per source)."""
    home = os.environ.get("CHASER_HOME")
    if home:
        return Path(home).expanduser() / "data"
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def config_dir() -> Path:
    home = os.environ.get("CHASER_HOME")
    if home:
        return Path(home).expanduser()
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def config_path(explicit: str | os.PathLike | None = None) -> Path | None:
    """--config, then CHASER_CONFIG, then chaser.toml in the user config dir; None when the
    user has none (chaser then opens the demo org)."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get("CHASER_CONFIG")
    if env:
        return Path(env).expanduser()
    default = config_dir() / "chaser.toml"
    return default if default.exists() else None


def documents_dir() -> Path:
    """Where exports go by default: the user's documents folder (platformdirs), or
    `Documents` under CHASER_HOME, so tests never write into the real one. Never the working
    folder: run from a git checkout, an HR file would land in the repository."""
    home = os.environ.get("CHASER_HOME")
    if home:
        return Path(home).expanduser() / "Documents"
    return Path(platformdirs.user_documents_dir())


def shown_path(path: Path) -> str:
    """`path` as a person reads it: `~/…` under the home folder."""
    try:
        rest = path.relative_to(Path.home())
    except (ValueError, RuntimeError):  # elsewhere, or no home to be under
        return str(path)
    return str(Path("~") / rest)
