"""Git repositories in temporary folders, with git's configuration isolated.

Every test runs with HOME and GIT_CONFIG_GLOBAL pointing at empty files of its own and
GIT_CONFIG_NOSYSTEM set, so the machine's git configuration (identity, signing, hooks,
safe.directory) never leaks in; identities are set in each repository's own config.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.history.helpers import EXAMPLE, git, init_repo

SCRUB = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE",
         "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE", "EMAIL", "GIT_OBJECT_DIRECTORY",
         "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_TEST_ASSUME_DIFFERENT_OWNER", "PYTHONPATH")


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    config = home / ".gitconfig"
    config.write_text("")
    for name in SCRUB:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(Path(home).parent.parent))
    monkeypatch.setenv("NO_COLOR", "1")
    return config


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository holding a copy of the example plan in plans/, not committed yet."""
    root = init_repo(tmp_path / "repo")
    shutil.copytree(EXAMPLE, root / "plans")
    return root


@pytest.fixture
def committed(repo) -> Path:
    """The example plan committed once; returns the repository root."""
    git(repo, "add", "plans")
    git(repo, "commit", "--quiet", "-m", "Start the plan")
    return repo
