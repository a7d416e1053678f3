"""``quarterdeck init``: a new plan folder, ready for git and CI.

- The six plan files come from a small template that validates as it is (two members,
  one shared goal, one persona, the SLA and the basic glossary terms), dated for the
  quarter asked for (default: the current one).
- Each file starts with a ``#:schema`` comment so editors with TOML schema support
  complete and check fields.  It points at the repository's top-level ``schemas/``
  folder when there is one (as in Quarterdeck's own repository); otherwise the
  schemas are copied into ``DIR/schemas/`` so the comments hold on every clone.
  Quarterdeck itself always validates with the schemas it ships.
- Inside a git work tree the folder gets ``git-setup`` (diff and merge drivers).
  Outside one, ``git init`` makes DIR a repository of its own (the only time
  Quarterdeck runs ``git init``, with ``demo``).
- A GitHub Actions workflow is written to ``.github/workflows/quarterdeck.yml`` at the
  repository's root (never over an existing file): it runs ``quarterdeck check
  --format github`` and appends ``quarterdeck diff --format markdown BASE...HEAD`` to
  the step summary.  Its paths filter matches the plan's files (a plan at the
  repository's root: ``*.toml``, ``schemas/**``, ``.gitattributes``), it runs on pushes
  to the branch checked out at init, and how it installs Quarterdeck is the team's
  choice (``QUARTERDECK_INSTALL``; ``pip install .`` in Quarterdeck's own repository).
- ``init`` commits nothing; the first ``quarterdeck commit`` also commits the files init
  wrote that git does not track yet (see ``tui.history.commit.support_files``).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

from tui.plan.problems import PlanError
from tui.plan.registry import PLAN_FILES
from tui.plan.save import atomic_write

from .errors import HistoryError, NotARepositoryError
from .quarters import is_quarter, quarter_bounds, quarter_of
from .repo import GIT_ENV, PlanRepo, locate

TEMPLATES = Path(__file__).resolve().parent / "templates"
WORKFLOW = Path(".github") / "workflows" / "quarterdeck.yml"


def _toml_string(text: str) -> str:
    """The inside of a TOML basic string: C0, C1, DEL and bidi controls as escapes."""
    import json

    from tui.plan.edit import escape_raw_controls

    return escape_raw_controls(json.dumps(text, ensure_ascii=False)[1:-1])


def _starter(name: str) -> str:
    """A plan file for a kind without a template of its own: the schema line and the
    schema's description, so `init` needs nothing beyond the schema and the registry."""
    import json
    import textwrap

    from tui.plan.schema import schema_dir

    schema = PLAN_FILES[name]
    try:
        about = str(json.loads((schema_dir() / schema).read_text(encoding="utf-8")).get("description") or "")
    except (OSError, ValueError):
        about = ""
    lines = [f"#:schema @SCHEMAS@/{schema}"] + [f"# {line}" for line in textwrap.wrap(about, 86)]
    return "\n".join(lines) + "\n"


def render_plan_files(company: str, quarter: str, schemas: str) -> dict[str, str]:
    start, end = quarter_bounds(quarter)
    out = {}
    for name in PLAN_FILES:
        template = TEMPLATES / "plan" / name
        text = template.read_text(encoding="utf-8") if template.is_file() else _starter(name)
        text = (text.replace("@SCHEMAS@", schemas).replace("@COMPANY@", _toml_string(company))
                .replace("@QUARTER@", quarter).replace("@START@", start.isoformat()).replace("@END@", end.isoformat()))
        out[name] = text
    return out


# How CI installs Quarterdeck when the repository does not hold Quarterdeck itself: a
# choice the team makes once, in the workflow (the step fails with this message until then).
INSTALL_CHOICE = """\
        # Choose how CI installs Quarterdeck and put it in QUARTERDECK_INSTALL, for example
        #   quarterdeck @ git+https://github.com/YOUR-ORG/quarterdeck@v0.1.0   (a tagged release)
        #   ./tools/quarterdeck                                                (a copy in this repository)
        env:
          QUARTERDECK_INSTALL: "" # set me
        run: |
          if [ -z "$QUARTERDECK_INSTALL" ]; then
            echo "::error file=.github/workflows/quarterdeck.yml::set QUARTERDECK_INSTALL in this workflow: how CI installs Quarterdeck"
            exit 1
          fi
          pip install "$QUARTERDECK_INSTALL"
"""
INSTALL_HERE = """\
        run: pip install . # this repository is Quarterdeck itself
"""
WORKFLOW_FILE = ".github/workflows/quarterdeck.yml"


def workflow_paths(plan_rel: str) -> list[str]:
    """The workflow's paths filter (GitHub's glob syntax: `*` stays within a folder, `**`
    crosses folders): the plan folder's files, and the workflow itself."""
    if plan_rel in ("", "."):
        from tui.plan.layout import folder_of, split_kinds

        # (a kind kept one file per entity: accounts/<id>.toml)
        folders = [f"{folder_of(file)}/*.toml" for file in split_kinds()]
        return ["*.toml", *folders, ".gitattributes", "schemas/**", WORKFLOW_FILE]
    return [f"{plan_rel}/**", WORKFLOW_FILE]


def _yaml_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def workflow_text(plan_rel: str, branches: list[str] | None = None, install_here: bool = False) -> str:
    text = (TEMPLATES / "quarterdeck.yml").read_text(encoding="utf-8")
    paths = "\n".join(f"      - {_yaml_string(p)}" for p in workflow_paths(plan_rel))
    names = ", ".join(_yaml_string(b) for b in (branches or ["main", "master"]))
    return (text.replace("@PATHS@", paths).replace("@BRANCHES@", names)
            .replace("@INSTALL@", INSTALL_HERE if install_here else INSTALL_CHOICE).replace("@PLAN@", plan_rel or "."))


def _is_quarterdeck_source(toplevel: Path) -> bool:
    try:
        import tomllib

        return tomllib.loads((toplevel / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"] == \
            "quarterdeck"
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _current_branch(prepo: PlanRepo) -> str | None:
    status, out, _ = prepo.run("symbolic-ref", "--quiet", "--short", "HEAD")
    return out.strip() if status == 0 and out.strip() else None


def _schema_target(folder: Path, toplevel: Path | None) -> tuple[str, Path | None]:
    """(the #:schema prefix, a folder to copy the schemas into or None)."""
    # editors read the self-contained copies in bundled/ (taplo cannot follow a
    # reference from one schema file to another)
    if toplevel is not None and (toplevel / "schemas" / "bundled" / "plan.schema.json").is_file():
        return Path(os.path.relpath(toplevel / "schemas" / "bundled", folder)).as_posix(), None
    return "schemas/bundled", folder / "schemas"


def init_plan(folder: Path, *, company: str | None = None, quarter: str | None = None,
              today: dt.date | None = None) -> list[str]:
    """Create a plan folder; return lines saying what was done."""
    from tui.plan.schema import schema_dir

    folder = Path(folder)
    quarter = quarter or quarter_of(today or dt.date.today())
    if not is_quarter(quarter):
        raise HistoryError(f"{quarter!r} is not a quarter; write it as YYYY-QN, e.g. 2026-Q4", code="usage.quarter")
    if (folder / "plan.toml").exists():
        raise HistoryError(f"{folder} already holds a plan (plan.toml exists); nothing was changed",
                           code="init.exists")
    taken = [n for n in PLAN_FILES if os.path.lexists(folder / n)]
    if taken:
        raise HistoryError(f"{folder} already has {', '.join(taken)}; init only creates a new plan folder",
                           code="init.exists")
    if folder.exists() and not folder.is_dir():
        raise HistoryError(f"{folder} is a file, not a folder", code="init.exists")
    done = []
    folder.mkdir(parents=True, exist_ok=True)
    try:
        toplevel = locate(folder.resolve()).toplevel
    except NotARepositoryError:
        toplevel = None
    prefix, copy_to = _schema_target(folder.resolve(), toplevel)
    if copy_to is not None and not copy_to.exists():
        shutil.copytree(schema_dir(), copy_to, ignore=shutil.ignore_patterns("__pycache__", "*.py*"))
        done.append(f"copied the JSON Schemas to {copy_to} (for editors; `#:schema` comments point there)")
    for name, text in render_plan_files(company or "Your company", quarter, prefix).items():
        atomic_write(folder / name, text.encode("utf-8"), name=name)
    done.append(f"created the plan for {quarter} in {folder} ({len(PLAN_FILES)} files)")
    ignore = folder / ".gitignore"
    if not ignore.exists():
        atomic_write(ignore, b"# unsaved edits the app keeps after a crash; they are offered at the next start\n"
                             b".quarterdeck-recovery.json\n", name=".gitignore")
        done.append("ignored the app's crash-recovery file in .gitignore")
    if toplevel is None:
        try:
            out = subprocess.run(["git", "init", "--quiet"], cwd=folder, capture_output=True, text=True,
                                 env=dict(os.environ, **GIT_ENV), stdin=subprocess.DEVNULL)
        except FileNotFoundError:
            done.append("git is not installed: the plan has no history until you put it in a git repository")
            return done
        if out.returncode != 0:
            raise HistoryError(f"git init failed in {folder}: {out.stderr.strip()}", code="git.init")
        done.append(f"created a git repository in {folder}")
    with PlanRepo(folder) as prepo:
        from .gitsetup import git_setup

        done += git_setup(prepo)
        workflow = prepo.toplevel / WORKFLOW
        if workflow.exists():
            done.append(f"kept the existing {workflow}")
        else:
            workflow.parent.mkdir(parents=True, exist_ok=True)
            branch = _current_branch(prepo)
            here = _is_quarterdeck_source(prepo.toplevel)
            atomic_write(workflow, workflow_text(prepo.rel, [branch] if branch else None, here).encode("utf-8"),
                         name=str(WORKFLOW))
            done.append(f"wrote the CI workflow {workflow} (runs on pull requests and on pushes to "
                        f"{branch or 'main or master'})")
            if not here:
                done.append("  set QUARTERDECK_INSTALL in it: how CI installs Quarterdeck (the step says so until "
                            "you do)")
    done.append("next: edit the plan (`quarterdeck " + str(folder) + "`), then `quarterdeck commit -C "
                + str(folder) + " -m \"Start the plan\"`; the first commit also takes the files init wrote "
                "(.gitattributes, .gitignore, schemas/, the CI workflow)")
    return done


def check_template(quarter: str = "2026-Q4") -> list:
    """Problems of the template as rendered (for tests): should hold no errors."""
    import tempfile

    from tui.plan.model import load_plan
    from tui.plan.validation import validate

    with tempfile.TemporaryDirectory() as tmp:
        for name, text in render_plan_files("Example Co", quarter, "schemas").items():
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        try:
            return validate(load_plan(Path(tmp)))
        except PlanError as exc:  # pragma: no cover
            return [exc]
