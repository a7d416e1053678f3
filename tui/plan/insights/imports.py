"""Imports from CSV: target accounts from a CRM export, key-result check-ins and actuals.

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
or "" to ignore a column).  The delimiter is sniffed unless given.

What a cell may hold comes from the accounts schema, never from a copy of it: the
field's type (whole number, number, text, list, date, domain, member reference), its
enum (a CRM word such as "Marketing Qualified Lead" is mapped to a stage first, see
``STAGE_VALUES``), its bounds and pattern, and which fields a new account needs
(``required``, with the schema's ``default`` or the import's usual one).  Each new
account is checked against the schema on its own, so one bad row is refused alone;
the new accounts are then added in one splice (one parse, one comparison with the
intended data), so a big file takes time in proportion to its rows.

The file is UTF-8 (a byte-order mark is dropped), UTF-16 or UTF-32 with a byte-order
mark, UTF-16 without one (every other byte NUL), or what ``encoding`` says.  A file
larger than ``MAX_IMPORT_BYTES`` or with more than ``MAX_IMPORT_ROWS`` rows, with NUL
characters, without a header or without the columns an import needs is refused as a
whole (``ImportFileError``, naming the file and line); a row with more cells than the
header has columns is refused alone.
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

    def __str__(self) -> str:
        # the messages name the file (and line) themselves
        if self.file and self.message.startswith(self.file):
            return self.message
        return super().__str__()


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
# What a new account gets when the file does not say (used only where the schema, which
# decides what is valid, allows the value and gives no ``default`` of its own).
NEW_ACCOUNT_DEFAULTS = {"tier": 3, "stage": "target"}

# CRM lifecycle stages and account types -> account stage (keys without spaces, - or _).
# Words of the CRMs, not of the schema: a value the schema's enum names is taken as it is.
STAGE_VALUES: dict[str, str] = {
    "target": "target", "subscriber": "target", "lead": "target", "marketingqualifiedlead": "target",
    "mql": "target", "prospect": "target",
    "engaged": "engaged", "salesqualifiedlead": "engaged", "sql": "engaged",
    "opportunity": "opportunity",
    "customer": "customer", "evangelist": "customer", "customerdirect": "customer", "customerchannel": "customer",
    "lost": "lost", "closedlost": "lost", "formercustomer": "lost", "churned": "lost",
}

# Field -> (CRM word, normalised -> schema value).
VALUE_ALIASES: dict[str, dict[str, str]] = {"stage": STAGE_VALUES}

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


# The largest CSV file an import reads, and the most data rows it takes: a CRM export
# of tens of thousands of accounts fits; a bigger file is refused as a whole, with a
# message, before anything is checked or written.
MAX_IMPORT_BYTES = 64 * 1024 * 1024
MAX_IMPORT_ROWS = 50_000
_SNIFF_CHARS = 8192


def _decode(data: bytes, name: str, encoding: str | None) -> tuple[str, str, bool]:
    """(text, encoding name, had a byte-order mark).  Without ``encoding``: UTF-8, or
    UTF-16/UTF-32 when the file starts with their byte-order mark (Excel's "Unicode
    text"), or UTF-16 without one when every other byte is NUL."""
    boms = ((b"\xef\xbb\xbf", "utf-8-sig", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32", "utf-32"),
            (b"\x00\x00\xfe\xff", "utf-32", "utf-32"), (b"\xff\xfe", "utf-16", "utf-16"),
            (b"\xfe\xff", "utf-16", "utf-16"))
    bom = next(((codec, shown) for mark, codec, shown in boms if data.startswith(mark)), None)
    if encoding:
        enc = encoding.lower().replace("_", "-")
        codec = {"utf-8": "utf-8-sig", "utf8": "utf-8-sig", "utf-16": "utf-16", "utf-32": "utf-32"}.get(enc, enc)
        shown = "utf-8" if codec == "utf-8-sig" else enc
    elif bom is not None:
        codec, shown = bom
    elif b"\x00" in data[:4096] and len(data) >= 2:
        head = data[:4096]
        even, odd = head[0::2].count(0), head[1::2].count(0)
        codec = shown = "utf-16-le" if odd > even else "utf-16-be"
        if max(even, odd) < len(head) // 4:  # NULs here and there: not text
            line = data[: data.index(b"\x00")].count(b"\n") + 1
            raise ImportFileError(f"{name}:{line}: the file holds NUL bytes: it is not CSV text (a spreadsheet "
                                  "saved as .xlsx?); save it as CSV, or pass --encoding", file=name, line=line,
                                  code="import.binary")
    else:
        codec, shown = "utf-8-sig", "utf-8"
    try:
        text = data.decode(codec)
    except LookupError:
        raise ImportFileError(f"{name}: unknown encoding {encoding!r} (try utf-8, utf-16, cp1252 or latin-1)",
                              code="usage.encoding") from None
    except UnicodeError as exc:
        start = getattr(exc, "start", 0)
        line = data[:start].count(b"\n") + 1
        raise ImportFileError(
            f"{name}:{line}: the file is not {encoding or ('UTF-8' if shown == 'utf-8' else shown)} text "
            f"(byte {start}); pass --encoding with the file's encoding, e.g. --encoding cp1252 for an Excel "
            "export", file=name, line=line, code="import.encoding") from None
    had_bom = bom is not None or text.startswith("\ufeff")
    return text.lstrip("\ufeff"), shown, had_bom


def read_csv(data: bytes, name: str = "file", delimiter: str | None = None, encoding: str | None = None) -> CsvTable:
    """Decode, sniff the delimiter and split ``data`` into a header and rows.  Every
    problem with the file as a whole is an ``ImportFileError`` that names the file (and
    the line): too large, not text, no header, not readable as CSV."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(f"{name}: {len(data):,} bytes is more than an import reads "
                              f"({MAX_IMPORT_BYTES // (1024 * 1024)} MB); split the file", file=name,
                              code="import.size")
    d = parse_delimiter(delimiter)
    text, enc, bom = _decode(data, name, encoding)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportFileError(f"{name}:{line}: the file holds a NUL character: it is not CSV text in {enc} "
                              "(pass --encoding with the file's encoding)", file=name, line=line,
                              code="import.binary")
    if not text.strip():
        raise ImportFileError(f"{name}: the file is empty", file=name, code="import.empty")
    if d is None:
        sample = "\n".join(text.splitlines()[:20])[:_SNIFF_CHARS]
        try:
            d = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            first = next((ln for ln in text.splitlines() if ln.strip()), "")[:_SNIFF_CHARS]
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
            if len(rows) > MAX_IMPORT_ROWS:
                raise ImportFileError(f"{name}: more than {MAX_IMPORT_ROWS:,} rows is more than an import takes; "
                                      "split the file", file=name, code="import.size")
    except csv.Error as exc:
        raise ImportFileError(f"{name}:{reader.line_num}: not readable as CSV: {exc}", file=name,
                              line=reader.line_num, code="import.csv") from None
    if header is None:
        raise ImportFileError(f"{name}: no header row", file=name, code="import.empty")
    return CsvTable(header, rows, d, enc, bom)


def ragged(cells: list[str], header: list[str], delimiter: str) -> str | None:
    """Why a row with more non-empty cells than the header has columns is refused."""
    if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
        return (f"the row has {len(cells)} cells, the header {len(header)} columns (an unquoted "
                f"{_delimiter_name(delimiter)} inside a value?); nothing taken from it")
    return None


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
    from ..layout import is_entity_file, new_file

    out = []
    for name, tf in work.files.items():
        before = plan.files.get(name)
        if before is None and is_entity_file(name):  # a new account's own file (one file per account)
            before = new_file(plan.root, name)
        if before is not None and tf is not before and tf.text != before.text:
            out.append(Change(name, before, tf.text, tf.data, summary))
    return out


def _new_errors(plan: Plan, work: Plan, schemas: SchemaSet, files: set[str]) -> list[str]:
    from ..layout import base_file  # an entity file's problems count for its kind's file
    from ..validation import validate

    def keys(p):
        return {(x.code, x.kind, x.entity, x.field, x.message) for x in validate(p, schemas)
                if x.severity == ERROR and base_file(x.file) in files}

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
    if value.is_integer() and "." not in t and "e" not in t.lower():
        n = int(t) if re.fullmatch(r"[+-]?\d+", t) else int(value)
        # TOML integers are 64-bit: a longer one is kept as a float, which TOML can hold
        return n if -2 ** 63 <= n < 2 ** 63 else value
    return value


def _members(plan: Plan) -> dict[str, tuple[str, str]]:
    """id / email / name (lower case) -> (member id, team)."""
    out = {}
    for m in plan.all("member"):
        entry = (m.id, str(m.data.get("team", "")))
        for key in (m.id, m.data.get("email"), m.data.get("name")):
            if isinstance(key, str) and key.strip():
                out.setdefault(" ".join(key.lower().split()), entry)
    return out


def _words(values) -> str:
    values = [str(v) for v in values]
    return ", ".join(values[:-1]) + " or " + values[-1] if len(values) > 1 else "".join(values)


def _bounds(fld: str, raw: str, n, node: dict) -> str | None:
    """Why ``n`` breaks the schema's enum or bounds for ``fld``, or None."""
    enum = node.get("enum")
    if isinstance(enum, list) and n not in enum:
        return f"{fld} {raw!r} must be {_words(enum)}"
    lo, hi = node.get("minimum"), node.get("maximum")
    xlo, xhi = node.get("exclusiveMinimum"), node.get("exclusiveMaximum")
    if lo is not None and hi is not None and not lo <= n <= hi:
        return f"{fld} {raw!r} must be between {lo} and {hi}"
    if lo is not None and n < lo:
        return f"{fld} {raw!r} must be at least {lo}"
    if hi is not None and n > hi:
        return f"{fld} {raw!r} must be at most {hi}"
    if xlo is not None and n <= xlo:
        return f"{fld} {raw!r} must be more than {xlo}"
    if xhi is not None and n >= xhi:
        return f"{fld} {raw!r} must be less than {xhi}"
    return None


def _key(text: str) -> str:
    return re.sub(r"[\s_\-/]+", "", str(text).lower())


@dataclass
class FieldSpec:
    """What the accounts schema says about one field an import can fill."""

    name: str
    node: dict  # the field's schema, references followed
    refers_to: str | None = None  # the kind its value names (member, persona, ...)

    @property
    def type(self):
        return self.node.get("type")


@dataclass
class AccountSchema:
    """The accounts schema as the importer reads it: fields, required list, defaults.
    Nothing here is written down twice: a change to ``accounts.schema.json`` (a new
    stage, another tier, new bounds, a new required field) changes the import."""

    fields: dict[str, FieldSpec]
    required: list[str]

    def default(self, fld: str):
        """The value a new account gets when the file does not give ``fld``: the
        schema's ``default``, else the import's usual one when the schema allows it."""
        spec = self.fields.get(fld)
        if spec is None:
            return None
        if "default" in spec.node:
            return spec.node["default"]
        value = NEW_ACCOUNT_DEFAULTS.get(fld)
        enum = spec.node.get("enum")
        if value is not None and isinstance(enum, list) and value not in enum:
            return None
        return value


def _importable(node: dict) -> bool:
    """A field a CSV cell can fill: a plain value or a list of plain values."""
    t = node.get("type")
    if t == "object":
        return False
    if t == "array":
        return (node.get("items") or {}).get("type") in ("string", "integer", "number", None)
    return True


def account_schema(schemas: SchemaSet) -> AccountSchema:
    from ..registry import KINDS

    k = KINDS["account"]
    node, base = schemas.subschema(k.schema, k.path + (0,))
    fields: dict[str, FieldSpec] = {}
    for name, raw_node in (node.get("properties") or {}).items():
        sub, _ = schemas.subschema(k.schema, k.path + (0, name))
        if not isinstance(sub, dict) or not _importable(sub):
            continue
        target = schemas.ref_target(raw_node, base) if isinstance(raw_node, dict) else None
        fields[name] = FieldSpec(name, sub, target[0] if target else None)
    required = [r for r in node.get("required") or [] if isinstance(r, str)]
    return AccountSchema(fields, required)


def account_fields(schemas: SchemaSet) -> list[str]:
    return list(account_schema(schemas).fields)


def _convert(fld: str, raw: str, plan: Plan, members, spec: FieldSpec | None = None) -> tuple[object, str | None]:
    """(value, None) or (None, reason): one CSV cell as the value the schema asks for."""
    raw = str(raw)
    if spec is None:  # custom.NAME and fields the schema does not describe: text as it is
        return raw.strip(), None
    node = spec.node
    fmt = node.get("format")
    if spec.refers_to == "member":
        team = fld.split("_")[0] if fld.split("_")[0] in ("sales", "marketing") else None
        hit = members.get(" ".join(raw.lower().split()))
        if hit is None:
            return None, (f"{fld} {raw!r} is no member of plan.toml (give a member's id, name or email, "
                          "or add the member first)")
        if team and hit[1] != team:
            return None, f"{fld} {raw!r} is on the {hit[1]} team; the {fld.replace('_', ' ')} must be on the {team} team"
        return hit[0], None
    if fmt == "hostname":
        d = normalize_domain(raw)
        return (d, None) if d else (None, f"{fld} {raw!r} is not a domain name (e.g. example.com)")
    if fmt == "date":
        d = as_date(raw.strip())
        return (d, None) if d else (None, f"{fld} {raw!r} is not a date (YYYY-MM-DD)")
    t = spec.type
    if t == "integer":
        text = raw.strip()
        if isinstance(node.get("enum"), list):  # "Tier 1", "T1": the number after a word
            text = re.sub(r"^[A-Za-z]+\s*", "", text)
        n = parse_number(text)
        if not isinstance(n, int) and not (isinstance(n, float) and n.is_integer()):
            return None, f"{fld} {raw!r} is not a whole number"
        n = int(n)
        if not -2 ** 63 <= n < 2 ** 63:
            return None, f"{fld} {raw!r} is too large for a whole number in TOML"
        why = _bounds(fld, raw, n, node)
        return (None, why) if why else (n, None)
    if t == "number":
        n = parse_number(raw)
        if n is None:
            return None, f"{fld} {raw!r} is not a number"
        why = _bounds(fld, raw, n, node)
        return (None, why) if why else (n, None)
    if t == "array":
        items = [p.strip() for p in re.split(r"[;\n]", raw) if p.strip()]
        return items, None
    text = raw.strip()
    enum = node.get("enum")
    if isinstance(enum, list) and enum:
        key = _key(text)
        for value in enum:
            if _key(value) == key:
                return value, None
        alias = VALUE_ALIASES.get(fld, {}).get(key)
        if alias in enum:
            return alias, None
        return None, (f"{fld} {raw!r} is not an account {fld.replace('_', ' ')} ({', '.join(map(str, enum))}); "
                      "fix the value, or ignore the column with --map")
    pattern = node.get("pattern")
    if isinstance(pattern, str) and not re.search(pattern, text):
        what = "a slug (lower-case letters, digits, single hyphens)" if spec.name == "id" else f"of the form {pattern}"
        return None, f"{fld} {raw!r} is not {what}"
    if isinstance(node.get("maxLength"), int) and len(text) > node["maxLength"]:
        return None, f"{fld} {raw!r} is longer than {node['maxLength']} characters"
    if isinstance(node.get("minLength"), int) and len(text) < node["minLength"]:
        return None, f"no {fld}"
    return text, None


# -- accounts ------------------------------------------------------------------------------------


def _start(plan: Plan, file: str, what: str, data: bytes, source: str, delimiter: str | None,
           encoding: str | None):
    """The plan file an import writes must be readable; then the CSV is read."""
    from ..layout import has_kind_file

    if not has_kind_file(plan.files, file):  # one file, or one file per entity (see layout)
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
    spec = account_schema(schemas)
    known = set(spec.fields)
    user_map = {norm_header(k): v.strip() for k, v in (mapping or {}).items()}
    for target in user_map.values():
        if target and target not in known and not re.fullmatch(r"custom\.[A-Za-z0-9_-]+", target):
            raise ImportFileError(f"--map: {target!r} is not an account field; fields: {', '.join(sorted(known))}, "
                                  "or custom.NAME", code="usage.map")
    col_field: dict[int, str] = {}
    for i, col in enumerate(table.header):
        key = norm_header(col)
        fld = user_map[key] if key in user_map else ACCOUNT_COLUMNS.get(key)
        if fld and fld not in known and not fld.startswith("custom."):
            fld = None  # a CRM column for a field the schema no longer has
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
        if isinstance(v, str):  # text as typed: read like a CSV cell of that field
            value, why = _convert(k, v, plan, members, spec.fields.get(k))
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
    check = _entity_check(schemas)
    new_accounts: list[RowResult] = []

    for line, cells in table.rows:
        values: dict[str, str] = {}
        for i, fld in col_field.items():
            raw = cells[i].strip() if i < len(cells) else ""
            if raw and fld not in values:
                values[fld] = raw
        result = RowResult(line, REFUSED, label=values.get("name") or values.get("domain", ""))
        report.rows.append(result)
        reasons = []
        extra = ragged(cells, table.header, table.delimiter)
        if extra:
            result.reasons = [extra]
            continue
        for needed in ("name", "domain"):
            if needed not in values:
                reasons.append(f"no {needed}")
        row: dict[str, object] = {}
        for fld, raw in values.items():
            value, why = _convert(fld, raw, plan, members, spec.fields.get(fld))
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
        if existing is None:
            _plan_new(result, row, defaults, taken_ids, spec, check)
            if result.action == ADD:
                new_accounts.append(result)
            continue
        saved = dict(work.files)
        try:
            _stage_update(work, result, existing, row, schemas)
        except EditError as exc:
            work.files = saved
            work.entities = collect_entities(work.files)
            result.action, result.fields = REFUSED, {}
            result.reasons = [exc.message]
    _stage_new_accounts(work, new_accounts, schemas)
    report.errors = _new_errors(plan, work, schemas, {"accounts.toml"})
    report.changes = _final_changes(plan, work, f"import accounts from {source}")
    return report


def _entity_check(schemas: SchemaSet):
    """A function that lists why one account (its data) breaks the accounts schema."""
    from jsonschema import Draft202012Validator

    from ..registry import KINDS
    from ..schema import inline_refs
    from ..validation import to_json

    k = KINDS["account"]
    node, base = schemas.subschema(k.schema, k.path + (0,))
    inlined = inline_refs(schemas, node, base)
    validator = Draft202012Validator(inlined, registry=schemas.registry,
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    fast = None
    try:  # a compiled gate: valid rows (nearly all) skip the careful walk
        import json

        import jsonschema_rs

        if '"$ref"' not in json.dumps(inlined):
            fast = jsonschema_rs.validator_for(inlined, validate_formats=True)
    except Exception:  # noqa: BLE001 - no gate: every row takes the careful walk
        fast = None

    def check(data: dict) -> list[str]:
        bad: list = []
        doc = to_json(data, bad)
        if fast is not None and not bad:
            try:
                if fast.is_valid(doc):
                    return []
            except Exception:  # noqa: BLE001
                pass
        out = []
        for err in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
            where = ".".join(map(str, err.absolute_path))
            out.append(f"{where}: {err.message}" if where else err.message)
        return out

    return check


def _plan_new(result: RowResult, row: dict, defaults: dict, taken: set, spec: AccountSchema, check) -> None:
    """Decide a new account's id and fields, and check them against the schema (the
    accounts are added together afterwards, in one splice)."""
    fields = {k: v for k, v in row.items() if k != "id" and not k.startswith("custom.")}
    for k in spec.required:
        if k not in fields and k != "id":
            value = spec.default(k)
            if value is not None and k not in defaults:
                fields[k] = value
    for k, v in defaults.items():
        fields.setdefault(k, v)
    missing = [k for k in spec.required if k not in fields and k != "id"]
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
    problems = check({"id": new_id, **fields})
    if problems:
        result.reasons = problems
        return
    taken.add(new_id)
    result.action, result.id, result.fields = ADD, new_id, fields


_PLAIN_STRING = re.compile(r'[^"\\\x00-\x1f\x7f]*')


def _render(value, render_value) -> str:
    """A TOML value: plain one-line text directly (the common case, and the slow one
    through tomlkit), anything else through the core's renderer.  The splice is parsed
    and compared with the intended data afterwards either way."""
    if isinstance(value, str) and _PLAIN_STRING.fullmatch(value):
        return f'"{value}"'
    return render_value(value)


def _stage_new_accounts(work: Plan, results: list[RowResult], schemas: SchemaSet) -> None:
    """Add every new account to ``work`` in one splice after the last account (one
    parse and one comparison with the intended data, however many rows), so a big
    file takes time in proportion to its rows.  Should the splice not give exactly the
    intended data, the accounts are added one at a time through the core edit API."""
    if not results:
        return
    from ..document import parse_toml
    from ..edit import entity_span, insert_block, order_keys, render_key, render_value
    from ..registry import KINDS, full_path

    from ..layout import is_split

    k = KINDS["account"]
    tf = work.files.get(k.file)
    path = full_path(k)
    entities = [{kk: item[kk] for kk in order_keys(schemas, k, (), list(item))}
                for item in ({"id": r.id, **r.fields} for r in results)]
    try:
        if tf is None or is_split(work.files, k.file):  # one file per account: each added on its own below
            raise EditError("accounts are kept one file per account", code="edit.split")
        head = "[[" + ".".join(render_key(x) for x in path) + "]]"
        lines: list[str] = []
        for data in entities:
            if lines:
                lines.append("")
            lines += [head] + [f"{render_key(kk)} = {_render(v, render_value)}" for kk, v in data.items()]
        siblings = [e for e in work.all("account") if e.file == k.file]
        at = entity_span(tf, siblings[-1].path)[1] if siblings else None
        text = insert_block(tf, at, lines)
        expected = dict(tf.data)
        container = expected
        for part in path[:-1]:
            container[part] = dict(container.get(part) or {})
            container = container[part]
        container[path[-1]] = list(container.get(path[-1]) or []) + entities
        data = parse_toml(text, tf.name)
        if data != expected:
            raise EditError("the splice does not give the intended data", code="edit.verify")
    except (EditError, PlanError, TypeError, ValueError):
        for r in results:
            saved = dict(work.files)
            try:
                stage_change(work, add_entity(work, "account", r.id, r.fields, schemas=schemas))
            except EditError as exc:
                work.files = saved
                work.entities = collect_entities(work.files)
                r.action, r.fields, r.reasons = REFUSED, {}, [exc.message]
        return
    stage_change(work, Change(k.file, tf, text, data, f"{len(results)} account(s) added"))


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


# -- key-result check-ins (and actuals) --------------------------------------------------------------

ACTUAL_COLUMNS = {
    "goal": "goal", "goal id": "goal", "objective": "goal",
    "key result": "key_result", "key_result": "key_result", "kr": "key_result", "key result id": "key_result",
    "id": "key_result",
    "actual": "value", "actual value": "value", "value": "value", "current": "value",
    "confidence": "confidence", "note": "note", "notes": "note",
    "date": "date", "as of": "date", "as_of": "date", "checked on": "date",
    "by": "by", "member": "by", "who": "by", "owner": "by",
}


def plan_actuals_import(plan: Plan, data: bytes, *, source: str = "file", delimiter: str | None = None,
                        encoding: str | None = None, schemas: SchemaSet | None = None,
                        as_of=None, on=None) -> ImportReport:
    """What importing key-result actuals would do.  Columns: goal, key_result, actual
    (or a key_result / id column holding GOAL/KR), and optionally confidence, note, date, by.
    Each value becomes a check-in dated ``as_of`` (default: today) unless the row has a
    date, and the key result's ``actual`` follows (see ``plan_checkin_import``)."""
    from ..checkins import today

    on = on or today()
    return plan_checkin_import(plan, data, source=source, default_date=as_of or on, on=on, delimiter=delimiter,
                               encoding=encoding, schemas=schemas, what="actuals", value_label="actual")


def plan_checkin_import(plan: Plan, data: bytes, *, source: str = "file", default_date=None, on=None,
                        delimiter: str | None = None, encoding: str | None = None, schemas: SchemaSet | None = None,
                        what: str = "checkins", value_label: str = "value") -> ImportReport:
    """What adding the check-ins of a CSV file would do.  Columns: goal, key_result (or
    GOAL/KR in key_result), value (or actual), and optionally confidence (0-10), note,
    date (YYYY-MM-DD; default ``default_date``) and by (a member's id, email or name;
    default the key result's owner).

    Each row adds one check-in and sets the key result's ``actual`` to its value.  A row
    whose value equals the latest check-in's (or the actual, without check-ins) and that
    carries no confidence or note is unchanged: nothing is added.  Check-ins of one key
    result are added in date order; a row dated on or before the key result's latest
    check-in, in the future or outside the quarter is refused, like a second row for
    the same key result and date."""
    import datetime as dt

    from ..checkins import add_checkin, check_new_checkin, latest_checkin, new_checkin, today

    schemas = schemas or load_schemas()
    on = on or today()
    default_date = default_date or on
    table, report = _start(plan, "goals.toml", what, data, source, delimiter, encoding)
    col_field: dict[int, str] = {}
    for i, col in enumerate(table.header):
        fld = ACTUAL_COLUMNS.get(norm_header(col))
        if fld and fld not in col_field.values():
            col_field[i] = fld
            report.columns[col] = fld
        else:
            report.ignored.append(col)
    if "key_result" not in col_field.values() or "value" not in col_field.values():
        raise ImportFileError(f"{source}: needs a key_result column (GOAL/KR, or with a goal column) and "
                              f"{'an actual' if value_label == 'actual' else 'a value'} column; its columns are: "
                              f"{', '.join(table.header)}", file=source, code="import.columns")
    dated = "date" in col_field.values()
    members = _members(plan)
    work = _copy(plan)
    seen: dict[tuple, int] = {}
    staged: list[tuple[dt.date, int, RowResult, str, dict, object]] = []
    for line, cells in table.rows:
        values = {fld: (cells[i].strip() if i < len(cells) else "") for i, fld in col_field.items()}
        kr_id = values.get("key_result", "")
        if "/" not in kr_id and values.get("goal"):
            kr_id = f"{values['goal']}/{kr_id}"
        result = RowResult(line, REFUSED, id=kr_id)
        report.rows.append(result)
        extra = ragged(cells, table.header, table.delimiter)
        if extra:
            result.reasons.append(extra)
            continue
        kr = plan.find("key_result", kr_id) if kr_id else None
        if kr is None:
            import difflib

            close = difflib.get_close_matches(kr_id, [k.id for k in plan.all("key_result")], n=1)
            result.reasons.append(f"no key result {kr_id!r}" + (f"; did you mean {close[0]!r}?" if close else
                                  " (write GOAL/KR, e.g. grow-pipeline/new-opportunities)"))
        when = default_date
        if values.get("date"):
            when = as_date(values["date"])
            if when is None:
                result.reasons.append(f"date {values['date']!r} is not a date (write YYYY-MM-DD)")
        key = (kr_id, when)
        if key in seen:
            result.reasons.append(f"duplicate: line {seen[key]} sets this key result already" if not dated else
                                  f"duplicate: line {seen[key]} checks in this key result on {when} already")
        else:
            seen[key] = line
        value = parse_number(values.get("value", ""))
        if value is None:
            result.reasons.append(f"{value_label} {values.get('value', '')!r} is not a number")
        confidence = None
        if values.get("confidence"):
            raw = values["confidence"]
            confidence = int(raw) if re.fullmatch(r"[+-]?\d{1,3}", raw) else None
            if confidence is None or not 0 <= confidence <= 10:
                result.reasons.append(f"confidence {raw!r} is not a whole number from 0 to 10")
        by = None
        if values.get("by"):
            hit = members.get(" ".join(values["by"].lower().split()))
            if hit is None:
                result.reasons.append(f"by {values['by']!r} is not a member's id, email or name")
            else:
                by = hit[0]
        note = values.get("note") or None
        if result.reasons:
            continue
        result.label = str(kr.data.get("title", ""))
        last = latest_checkin(kr)
        current = last.get("value") if last else kr.data.get("actual")
        if current == value and type(current) is type(value) and confidence is None and note is None:
            result.action = SAME
            continue
        entry = new_checkin(plan, kr, value, date=when, confidence=confidence, note=note, by=by, on=on)
        staged.append((when, line, result, kr_id, entry, kr.data.get("actual")))
    for when, line, result, kr_id, entry, _ in sorted(staged, key=lambda s: (s[0], s[1])):
        old = work.get("key_result", kr_id).data.get("actual")
        reasons = check_new_checkin(work, work.get("key_result", kr_id), entry, on=on)
        if reasons:
            result.reasons += reasons
            continue
        try:
            stage_change(work, add_checkin(work, kr_id, entry, schemas=schemas, on=on))
        except EditError as exc:
            result.reasons.append(exc.message)
            continue
        result.action = CHANGE
        said = [str(entry["date"])] + [f"{k} {v}" for k, v in entry.items() if k not in ("date", "value")]
        result.fields = {"checkin": (None, ", ".join(said))}
        if old != entry["value"] or type(old) is not type(entry["value"]):
            result.fields["actual"] = (old, entry["value"])
    report.errors = _new_errors(plan, work, schemas, {"goals.toml"})
    report.changes = _final_changes(plan, work, f"import {what} from {source}")
    return report


__all__ = ["ACCOUNT_COLUMNS", "ImportFileError", "ImportReport", "RowResult", "apply_import", "normalize_domain",
           "parse_number", "plan_account_import", "plan_actuals_import", "plan_checkin_import", "read_csv"]
