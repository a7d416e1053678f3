"""The Quarterdeck terminal app (Textual).  ``run(plan_dir)`` starts it.

The app's modules are imported when first asked for (``from tui.app import
QuarterdeckApp``), so a module of this package that needs no Textual (the history lookup
process) starts without it."""

__all__ = ["QuarterdeckApp", "run"]


def __getattr__(name: str):
    if name in __all__:
        from . import main

        return getattr(main, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
