"""Tab labels that fit the screen: the full titles when there is room, short forms
(longest saving first) when there is not, so no tab scrolls off an 80-column screen."""

from __future__ import annotations

from rich.cells import cell_len

# view id -> its short form; a view not named keeps its title
SHORT = {
    "overview": "Over", "personas": "Pers", "accounts": "Accts", "content": "Cont", "glossary": "Gloss",
    "problems": "Probs", "history": "Hist", "messaging": "Msg", "goals": "Goals", "team": "Team",
}
PAD = 2  # a tab's label is drawn with a cell of room on each side


def fit_labels(titles: dict[str, str], width: int, extra: dict[str, str] | None = None) -> dict[str, str]:
    """view id -> label for a tab bar ``width`` cells wide.  ``extra`` is text that
    follows a label (a problem count: " 8") and is kept."""
    extra = extra or {}
    labels = dict(titles)

    def total() -> int:
        return sum(cell_len(label) + cell_len(extra.get(v, "")) + PAD for v, label in labels.items())

    savings = sorted((v for v in titles if v in SHORT and cell_len(SHORT[v]) < cell_len(titles[v])),
                     key=lambda v: cell_len(titles[v]) - cell_len(SHORT[v]), reverse=True)
    for view in savings:
        if total() <= width:
            break
        labels[view] = SHORT[view]
    return labels
