"""Imports from CSV: target accounts from a CRM export, key-result actuals.

Nothing is written by these functions.  They read the CSV, decide for every row what
would happen (add, change, unchanged, refused, and why), stage the edits on a copy of
the plan through the core edit API, validate the staged plan, and return a report with
the one Change per file that saving needs.  ``apply_import`` saves those changes; a
caller saves only when the report has no refused rows and no errors (or the user chose
to import the rest), so a file is never half imported.

Accounts are matched to existing ones by domain, normalised: lower case, without
scheme, ``www.``, port or path (``https://www.Harbor.example/about`` ->
``harbor.example``).  Column names from HubSpot and Salesforce exports are recognised
(see ``ACCOUNT_COLUMNS``); others can be mapped with ``mapping`` (CSV column -> field,
or "" to ignore a column).  The delimiter is sniffed unless given; a UTF-8 byte-order
mark is dropped.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field

from ..edit import Change, EditError, add_entity, set_field, stage_change
from ..model import Plan, collect_entities
from ..problems import ERROR, PlanError
from ..schema import SchemaSet, load_schemas
from ._common import as_date, slugify


class ImportFileError(PlanError):
    """The CSV file as a whole cannot be used (unreadable, no header, no key column)."""

    exit_code = 2


def norm_header(name: str) -> str:
    return " ".join(re.sub(r"[_\s]+", " ", str(name).replace("\ufeff", "")).strip().lower().split())


# CSV header (normalised) -> account field.  HubSpot company and Salesforce account exports.
ACCOUNT_COLUMNS: dict[str, str] = {
    # name
    "name": "name", "company name": "name", "account name": "name", "company": "name", "account": "name",
    "organization": "name", "organisation": "name",
    # domain
    "domain": "domain", "company domain name": "domain", "company domain": "domain", "website": "domain",
    "website url": "domain", "web site": "domain", "domain name": "domain",
    # the rest
    "id": "id", "quarterdeck id": "id",
    "tier": "tier", "abm tier": "tier", "account tier": "tier", "ideal customer profile tier": "tier",
    "icp fit": "icp_fit", "icp score": "icp_fit", "icp_fit": "icp_fit",
    "industry": "industry",
    "number of employees": "employees", "employees": "employees", "employee count": "employees",
    "company owner": "sales_owner", "account owner": "sales_owner", "sales owner": "sales_owner",
    "owner": "sales_owner", "hubspot owner": "sales_owner",
    "marketing owner": "marketing_owner",
    "lifecycle stage": "stage", "type": "stage", "account type": "stage", "stage": "stage",
    "region": "region", "country/region": "region", "country": "region", "billing country": "region",
    "next step": "next_step", "next step due": "next_step_due",
    "pipeline": "pipeline", "open pipeline": "pipeline",
    "record id": "custom.crm_id", "account id": "custom.crm_id", "crm id": "custom.crm_id",
}
REQUIRED_FOR_NEW = ("name", "domain", "tier", "stage", "sales_owner", "marketing_owner")
NEW_ACCOUNT_DEFAULTS = {"tier": 3, "stage": "target"}

# CRM lifecycle stages and account types -> account stage (keys without spaces, - or _).
STAGE_VALUES: dict[str, str] = {
    "target": "target", "subscriber": "target", "lead": "target", "marketingqualifiedlead": "target",
    "mql": "target", "prospect": "target",
    "engaged": "engaged", "salesqualifiedlead": "engaged", "sql": "engaged",
    "opportunity": "opportunity",
    "customer": "customer", "evangelist": "customer", "customerdirect": "customer", "customerchannel": "customer",
    "lost": "lost", "closedlost": "lost", "formercustomer": "lost", "churned": "lost",
}

_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize_domain(value: str) -> str | None:
    """``https://www.Example.com/path`` -> ``example.com``; None when it is no domain."""
    text = str(value).strip().lower()
    if not text:
        return None
    text = _SCHEME.sub("", text)
    text = re.split(r"[/?#]", text, maxsplit=1)[0]
    text = text.rsplit("@", 1)[-1]  # user@ or an email address
    text = text.split(":", 1)[0].strip().rstrip(".")
    if text.startswith("www."):
        text = text[4:]
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = text.split(".")
    if len(labels) < 2 or len(text) > 253 or not all(_LABEL.match(label) for label in labels):
        return None
    return text


# -- reading CSV ---------------------------------------------------------------------------


@dataclass
class CsvTable:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number in the file, cells)
    delimiter: str
    encoding: str
    bom: bool


def _delimiter_name(d: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(d, repr(d))


def parse_delimiter(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    d = named.get(value.lower(), value)
    if len(d) != 1 or d in "\"\r\n":
        raise ImportFileError(f"delimiter {value!r} must be one character (or tab, comma, semicolon, pipe)",
                              code="usage.delimiter")
    return d


def read_csv(data: bytes, name: str = "file", delimiter: str | None = None, encoding: str | None = None) -> CsvTable:
    """Decode, sniff the delimiter and split ``data`` into a header and rows."""
    bom = data.startswith(b"\xef\xbb\xbf")
    enc = (encoding or "utf-8").lower().replace("_", "-")
    if enc in ("utf-8", "utf8"):
        enc = "utf-8-sig"
    try:
        text = data.decode(enc)
    except LookupError:
        raise ImportFileError(f"{name}: unknown encoding {encoding!r} (try utf-8, cp1252 or latin-1)",
                              code="usage.encoding") from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"{name}:{line}: the file is not {encoding or 'UTF-8'} text (byte {exc.start}); "
            "pass --encoding with the file's encoding, e.g. --encoding cp1252 for an Excel export",
            file=name, line=line, code="import.encoding") from None
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ImportFileError(f"{name}: the file is empty", file=name, code="import.empty")
    d = parse_delimiter(delimiter)
    if d is None:
        sample = "\n".join(text.splitlines()[:50])
        try:
            d = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            first = next((ln for ln in text.splitlines() if ln.strip()), "")
            d = max(",;\t|", key=first.count) if any(c in first for c in ",;\t|") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=d)
    header: list[str] | None = None
    rows = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                continue
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise ImportFileError(f"{name}:{reader.line_num}: not readable as CSV: {exc}", file=name,
                              line=reader.line_num, code="import.csv") from None
    if header is None:
        raise ImportFileError(f"{name}: no header row", file=name, code="import.empty")
    return CsvTable(header, rows, d, "utf-8" if enc == "utf-8-sig" else enc, bom)


# -- the report ----------------------------------------------------------------------------

ADD, CHANGE, SAME, REFUSED = "add", "change", "unchanged", "refused"


@dataclass
class RowResult:
    line: int  # line number in the CSV file
    action: str  # add | change | unchanged | refused
    id: str = ""  # entity id (account id, GOAL/KR)
    label: str = ""  # name or domain, for people
    fields: dict = field(default_factory=dict)  # add: the new entity's fields; change: field -> (old, new)
    reasons: list[str] = field(default_factory=list)  # why it was refused

    def to_dict(self) -> dict:
        from ..validation import to_json

        return {"line": self.line, "action": self.action, "id": self.id, "label": self.label,
                "fields": to_json(self.fields, []), "reasons": list(self.reasons)}


@dataclass
class ImportReport:
    what: str  # "accounts" or "actuals"
    source: str
    delimiter: str = ","
    encoding: str = "utf-8"
    bom: bool = False
    columns: dict[str, str] = field(default_factory=dict)  # CSV column -> field
    ignored: list[str] = field(default_factory=list)  # CSV columns not used
    rows: list[RowResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the staged result would be invalid
    changes: list[Change] = field(default_factory=list)  # one per file, to save

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def refused(self) -> list[RowResult]:
        return [r for r in self.rows if r.action == REFUSED]

    @property
    def ok(self) -> bool:
        """True when everything in the file can be imported."""
        return not self.refused and not self.errors

    def to_dict(self) -> dict:
        return {
            "format": "quarterdeck.import/1", "what": self.what, "source": self.source,
            "delimiter": self.delimiter, "encoding": self.encoding, "bom": self.bom,
            "columns": dict(self.columns), "ignored": list(self.ignored),
            "summary": {a: self.count(a) for a in (ADD, CHANGE, SAME, REFUSED)},
            "rows": [r.to_dict() for r in self.rows], "errors": list(self.errors),
        }

    def text(self) -> str:
        enc = self.encoding + (" with byte-order mark" if self.bom else "")
        lines = [f"{self.source}: {len(self.rows)} row(s), {_delimiter_name(self.delimiter)}-separated, {enc}"]
        if self.columns:
            lines.append("columns: " + ", ".join(f"{c!r} → {f}" for c, f in self.columns.items()))
        if self.ignored:
            lines.append("ignored columns: " + ", ".join(repr(c) for c in self.ignored))
        marks = {ADD: "+ add    ", CHANGE: "~ change ", SAME: "= same   ", REFUSED: "✗ refuse "}
        for r in self.rows:
            head = f"  {marks[r.action]} line {r.line:<4} {r.id or '-'}" + (f" ({r.label})" if r.label else "")
            lines.append(head)
            if r.action == ADD:
                lines.append("      " + ", ".join(f"{k} = {_show(v)}" for k, v in r.fields.items()))
            elif r.action == CHANGE:
                lines += [f"      {k}: {_show(old)} → {_show(new)}" for k, (old, new) in r.fields.items()]
            elif r.action == REFUSED:
                lines += [f"      {reason}" for reason in r.reasons]
        for e in self.errors:
            lines.append(f"  ✗ {e}")
        lines.append(f"{self.count(ADD)} to add, {self.count(CHANGE)} to change, {self.count(SAME)} unchanged, "
                     f"{self.count(REFUSED)} refused")
        return "\n".join(lines)


def _show(value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return repr(value) if len(value) <= 60 else repr(value[:57] + "...")
    return str(value)


def _copy(plan: Plan) -> Plan:
    """A plan sharing the file objects (which edits replace, never change)."""
    work = Plan(root=plan.root, files=dict(plan.files), syntax_errors=list(plan.syntax_errors))
    work.entities = collect_entities(work.files)
    return work


def _final_changes(plan: Plan, work: Plan, summary: str) -> list[Change]:
    out = []
    for name, tf in work.files.items():
        before = plan.files.get(name)
        if before is not None and tf is not before and tf.text != before.text:
            out.append(Change(name, before, tf.text, tf.data, summary))
    return out


def _new_errors(plan: Plan, work: Plan, schemas: SchemaSet, files: set[str]) -> list[str]:
    from ..validation import validate

    def keys(p):
        return {(x.code, x.kind, x.entity, x.field, x.message) for x in validate(p, schemas)
                if x.severity == ERROR and x.file in files}

    before = keys(plan)
    return [f"{kind} {entity}: {message}" + (f" ({fld})" if fld else "")
            for code, kind, entity, fld, message in sorted(keys(work) - before)]


def apply_import(plan: Plan, report: ImportReport) -> None:
    """Save the report's changes (atomically, refusing files changed on disk)."""
    from ..edit import apply_change

    for change in report.changes:
        apply_change(plan, change)


# -- values ----------------------------------------------------------------------------------


def parse_number(text: str) -> float | int | None:
    """'1,850' -> 1850, '26%' -> 26, '$2.1M' -> None (not a plain number), '2.5' -> 2.5."""
    t = str(text).strip().replace("\u00a0", "").replace(" ", "").replace("_", "")
    t = t.rstrip("%").lstrip("$€£")
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", t):
        t = t.replace(",", "")
    try:
        value = float(t)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return int(value) if value.is_integer() and "." not in t and "e" not in t.lower() else value


def _members(plan: Plan) -> dict[str, tuple[str, str]]:
    """id / email / name (lower case) -> (member id, team)."""
    out = {}
    for m in plan.all("member"):
        entry = (m.id, str(m.data.get("team", "")))
        for key in (m.id, m.data.get("email"), m.data.get("name")):
            if isinstance(key, str) and key.strip():
                out.setdefault(" ".join(key.lower().split()), entry)
    return out


def _convert(fld: str, raw: str, plan: Plan, members, lists=("plays",)) -> tuple[object, str | None]:
    """(value, None) or (None, reason)."""
    if fld == "domain":
        d = normalize_domain(raw)
        return (d, None) if d else (None, f"domain {raw!r} is not a domain name (e.g. example.com)")
    if fld in ("tier", "icp_fit", "employees"):
        t = raw.strip()
        if fld == "tier":
            t = re.sub(r"^(tier|t)\s*", "", t, flags=re.I)
        n = parse_number(t)
        if not isinstance(n, int) and not (isinstance(n, float) and n.is_integer()):
            return None, f"{fld} {raw!r} is not a whole number"
        n = int(n)
        if fld == "tier" and n not in (1, 2, 3):
            return None, f"tier {raw!r} must be 1, 2 or 3"
        if fld == "icp_fit" and not 0 <= n <= 100:
            return None, f"icp_fit {raw!r} must be between 0 and 100"
        if fld == "employees" and n < 1:
            return None, f"employees {raw!r} must be at least 1"
        return n, None
    if fld == "pipeline":
        n = parse_number(raw)
        if n is None or n < 0:
            return None, f"pipeline {raw!r} is not an amount (a number of 0 or more)"
        return n, None
    if fld == "stage":
        key = re.sub(r"[\s_\-/]+", "", raw.lower())
        if key in STAGE_VALUES:
            return STAGE_VALUES[key], None
        return None, (f"stage {raw!r} is not an account stage (target, engaged, opportunity, customer, lost); "
                      "fix the value, or ignore the column with --map")
    if fld in ("sales_owner", "marketing_owner"):
        team = fld.split("_")[0]
        hit = members.get(" ".join(raw.lower().split()))
        if hit is None:
            return None, (f"{fld} {raw!r} is no member of plan.toml (give a member's id, name or email, "
                          "or add the member first)")
        if hit[1] != team:
            return None, f"{fld} {raw!r} is on the {hit[1]} team; the {fld.replace('_', ' ')} must be on the {team} team"
        return hit[0], None
    if fld == "next_step_due":
        d = as_date(raw.strip())
        return (d, None) if d else (None, f"next_step_due {raw!r} is not a date (YYYY-MM-DD)")
    if fld in lists:  # a list field (plays, the messages they lead with): "a; b"
        return [p.strip() for p in re.split(r"[;\n]", raw) if p.strip()], None
    if fld == "id":
        slug = raw.strip()
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) or len(slug) > 64:
            return None, f"id {raw!r} is not a slug (lower-case letters, digits, single hyphens)"
        return slug, None
    return raw.strip(), None


def account_fields(schemas: SchemaSet) -> list[str]:
    node, _ = schemas.subschema("accounts.schema.json", ("account", 0))
    return [k for k in node.get("properties", {}) if k not in ("committee", "custom")]


# -- accounts ------------------------------------------------------------------------------------


def _start(plan: Plan, file: str, what: str, data: bytes, source: str, delimiter: str | None,
           encoding: str | None):
    """The plan file an import writes must be readable; then the CSV is read."""
    if file not in plan.files:
        raise ImportFileError(f"the plan has no {file} (or it does not parse); fix that first",
                              file=file, code="import.plan")
    table = read_csv(data, source, delimiter, encoding)
    return table, ImportReport(what, source, table.delimiter, table.encoding, table.bom)


def plan_account_import(plan: Plan, data: bytes, *, source: str = "file", mapping: dict[str, str] | None = None,
                        defaults: dict | None = None, delimiter: str | None = None, encoding: str | None = None,
                        schemas: SchemaSet | None = None) -> ImportReport:
    """What importing the CSV ``data`` into the plan's accounts would do (nothing written).

    ``mapping``: CSV column -> account field (``custom.NAME`` for a custom field, "" to
    ignore the column).  ``defaults``: field values for new accounts the file does not
    give (e.g. marketing_owner); tier and stage default to 3 and "target"."""
    schemas = schemas or load_schemas()
    table, report = _start(plan, "accounts.toml", "accounts", data, source, delimiter, encoding)
    known = set(account_fields(schemas))
    lists = {f for f in known if schemas.subschema("accounts.schema.json", ("account", 0, f))[0].get("type") == "array"}
    user_map = {norm_header(k): v.strip() for k, v in (mapping or {}).items()}
    for target in user_map.values():
        if target and target not in known and not re.fullmatch(r"custom\.[A-Za-z0-9_-]+", target):
            raise ImportFileError(f"--map: {target!r} is not an account field; fields: {', '.join(sorted(known))}, "
                                  "or custom.NAME", code="usage.map")
    col_field: dict[int, str] = {}
    for i, col in enumerate(table.header):
        key = norm_header(col)
        fld = user_map[key] if key in user_map else ACCOUNT_COLUMNS.get(key)
        if fld:
            col_field[i] = fld
            report.columns[col] = fld
        else:
            report.ignored.append(col)
    unused = set(user_map) - {norm_header(c) for c in table.header}
    if unused:
        raise ImportFileError(f"--map names column(s) the file does not have: {', '.join(sorted(unused))}; "
                              f"its columns are: {', '.join(table.header)}", code="usage.map")
    for needed in ("domain", "name"):
        if needed not in col_field.values():
            looked = sorted(k for k, v in ACCOUNT_COLUMNS.items() if v == needed)
            raise ImportFileError(
                f"{source}: no column gives the account's {needed} (looked for: {', '.join(looked)}); "
                f"name it with --map 'COLUMN={needed}'", file=source, code="import.columns")

    members = _members(plan)
    defaults = dict(defaults or {})
    for k, v in list(defaults.items()):
        if k not in known:
            raise ImportFileError(f"--set: {k!r} is not an account field", code="usage.set")
        if isinstance(v, str) and k in ("sales_owner", "marketing_owner", "stage", "domain"):
            value, why = _convert(k, v, plan, members)
            if why:
                raise ImportFileError(f"--set: {why}", code="usage.set")
            defaults[k] = value
    work = _copy(plan)
    by_domain = {}
    for a in plan.all("account"):
        d = normalize_domain(str(a.data.get("domain", "")))
        if d:
            by_domain.setdefault(d, a)
    taken_ids = {a.id for a in plan.all("account")}
    seen_domains: dict[str, int] = {}

    for line, cells in table.rows:
        values: dict[str, str] = {}
        for i, fld in col_field.items():
            raw = cells[i].strip() if i < len(cells) else ""
            if raw and fld not in values:
                values[fld] = raw
        result = RowResult(line, REFUSED, label=values.get("name") or values.get("domain", ""))
        report.rows.append(result)
        reasons = []
        for needed in ("name", "domain"):
            if needed not in values:
                reasons.append(f"no {needed}")
        row: dict[str, object] = {}
        for fld, raw in values.items():
            value, why = _convert(fld.split(".")[0] if fld.startswith("custom.") else fld, raw, plan, members, lists)
            if why:
                reasons.append(why)
            else:
                row[fld] = value
        domain = row.get("domain")
        if isinstance(domain, str):
            if domain in seen_domains:
                reasons.append(f"duplicate domain {domain}: line {seen_domains[domain]} has it already")
            else:
                seen_domains[domain] = line
        if reasons:
            result.reasons = reasons
            continue
        existing = by_domain.get(domain)
        saved = dict(work.files)
        try:
            if existing is None:
                _stage_new(work, result, row, defaults, taken_ids, schemas)
            else:
                _stage_update(work, result, existing, row, schemas)
        except EditError as exc:
            work.files = saved
            work.entities = collect_entities(work.files)
            result.action, result.fields = REFUSED, {}
            result.reasons = [exc.message]
    report.errors = _new_errors(plan, work, schemas, {"accounts.toml"})
    report.changes = _final_changes(plan, work, f"import accounts from {source}")
    return report


def _stage_new(work: Plan, result: RowResult, row: dict, defaults: dict, taken: set, schemas) -> None:
    fields = {k: v for k, v in row.items() if k != "id" and not k.startswith("custom.")}
    for k, v in {**NEW_ACCOUNT_DEFAULTS, **defaults}.items():
        fields.setdefault(k, v)
    missing = [k for k in REQUIRED_FOR_NEW if k not in fields]
    if missing:
        result.reasons = [f"a new account needs {', '.join(missing)}: add a column for it, or pass "
                          + " ".join(f"--set {k}=..." for k in missing)]
        return
    custom = {k.split(".", 1)[1]: v for k, v in row.items() if k.startswith("custom.")}
    if custom:
        fields["custom"] = custom
    base = str(row.get("id") or slugify(str(fields["name"])) or slugify(str(fields["domain"])) or "account")
    new_id, n = base, 2
    while new_id in taken:
        suffix = f"-{n}"
        new_id, n = base[: 64 - len(suffix)].rstrip("-") + suffix, n + 1
    if "id" in row and new_id != base:
        result.reasons = [f"id {base!r} is taken by another account"]
        return
    stage_change(work, add_entity(work, "account", new_id, fields, schemas=schemas))
    taken.add(new_id)
    result.action, result.id, result.fields = ADD, new_id, fields


def _stage_update(work: Plan, result: RowResult, existing, row: dict, schemas) -> None:
    result.id = existing.id
    current = work.get("account", existing.id).data
    diffs = {}
    for fld, value in row.items():
        if fld == "id":
            continue
        if fld.startswith("custom."):
            old = (current.get("custom") or {}).get(fld.split(".", 1)[1])
        else:
            old = current.get(fld)
        if fld == "domain" and normalize_domain(str(old or "")) == value:
            continue  # same domain written another way: keep the plan's spelling
        if old != value:
            diffs[fld] = (old, value)
    for fld, (_, value) in diffs.items():
        stage_change(work, set_field(work, "account", existing.id, fld, value, schemas=schemas))
    result.action, result.fields = (CHANGE if diffs else SAME), diffs


# -- key-result actuals -----------------------------------------------------------------------------

ACTUAL_COLUMNS = {
    "goal": "goal", "goal id": "goal", "objective": "goal",
    "key result": "key_result", "key_result": "key_result", "kr": "key_result", "key result id": "key_result",
    "id": "key_result",
    "actual": "actual", "actual value": "actual", "value": "actual", "current": "actual",
}


def plan_actuals_import(plan: Plan, data: bytes, *, source: str = "file", delimiter: str | None = None,
                        encoding: str | None = None, schemas: SchemaSet | None = None) -> ImportReport:
    """What importing key-result actuals would do.  Columns: goal, key_result, actual
    (or a key_result / id column holding GOAL/KR)."""
    schemas = schemas or load_schemas()
    table, report = _start(plan, "goals.toml", "actuals", data, source, delimiter, encoding)
    col_field: dict[int, str] = {}
    for i, col in enumerate(table.header):
        fld = ACTUAL_COLUMNS.get(norm_header(col))
        if fld and fld not in col_field.values():
            col_field[i] = fld
            report.columns[col] = fld
        else:
            report.ignored.append(col)
    if "key_result" not in col_field.values() or "actual" not in col_field.values():
        raise ImportFileError(f"{source}: needs a key_result column (GOAL/KR, or with a goal column) and an actual "
                              f"column; its columns are: {', '.join(table.header)}", file=source,
                              code="import.columns")
    work = _copy(plan)
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        values = {fld: (cells[i].strip() if i < len(cells) else "") for i, fld in col_field.items()}
        kr_id = values.get("key_result", "")
        if "/" not in kr_id and values.get("goal"):
            kr_id = f"{values['goal']}/{kr_id}"
        result = RowResult(line, REFUSED, id=kr_id)
        report.rows.append(result)
        kr = plan.find("key_result", kr_id) if kr_id else None
        if kr is None:
            import difflib

            close = difflib.get_close_matches(kr_id, [k.id for k in plan.all("key_result")], n=1)
            result.reasons.append(f"no key result {kr_id!r}" + (f"; did you mean {close[0]!r}?" if close else
                                  " (write GOAL/KR, e.g. grow-pipeline/new-opportunities)"))
        if kr_id in seen:
            result.reasons.append(f"duplicate: line {seen[kr_id]} sets this key result already")
        else:
            seen[kr_id] = line
        value = parse_number(values.get("actual", ""))
        if value is None:
            result.reasons.append(f"actual {values.get('actual', '')!r} is not a number")
        if result.reasons:
            continue
        result.label = str(kr.data.get("title", ""))
        old = kr.data.get("actual")
        if old == value and type(old) is type(value):
            result.action = SAME
            continue
        try:
            stage_change(work, set_field(work, "key_result", kr_id, "actual", value, schemas=schemas))
        except EditError as exc:
            result.reasons.append(exc.message)
            continue
        result.action, result.fields = CHANGE, {"actual": (old, value)}
    report.errors = _new_errors(plan, work, schemas, {"goals.toml"})
    report.changes = _final_changes(plan, work, f"import actuals from {source}")
    return report


__all__ = ["ACCOUNT_COLUMNS", "ImportFileError", "ImportReport", "RowResult", "apply_import", "normalize_domain",
           "parse_number", "plan_account_import", "plan_actuals_import", "read_csv"]
