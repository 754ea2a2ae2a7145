"""The Profilverkstad's form: a profile as form fields, written back to TOML, with errors per field.

The form is turned into TOML and validated by the same ``parse_profile`` the matcher uses, so the
rules live in one place; its messages (English, naming file, line and field) are mapped to the form's
fields and given in Swedish where the message is a known one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from matcher.profiles import Profile

LIST_SPLIT = re.compile(r"[\n;,]+")


@dataclass
class PriorityFields:
    title: str = ""
    text: str = ""
    keywords: str = ""
    weight: str = ""


@dataclass
class ProfileFields:
    """Every field as the text in its input box."""

    name: str = ""
    description: str = ""
    recipients: str = ""
    exclude: str = ""
    min_score: str = ""
    max_matches: str = ""
    favour_funders: str = ""
    ignore_funders: str = ""
    ignore_sources: str = ""
    priorities: list[PriorityFields] = field(default_factory=list)

    @classmethod
    def from_profile(cls, profile: Profile) -> ProfileFields:
        def lines(values) -> str:
            return "\n".join(values)

        return cls(
            name=profile.name,
            description=profile.description,
            recipients=lines(profile.recipients),
            exclude=lines(profile.exclude),
            min_score="" if profile.min_score is None else _number(profile.min_score),
            max_matches=str(profile.max_matches),
            favour_funders=lines(profile.favour_funders),
            ignore_funders=lines(profile.ignore_funders),
            ignore_sources=lines(profile.ignore_sources),
            priorities=[
                PriorityFields(p.title, p.text, ", ".join(p.keywords), _number(p.weight)) for p in profile.priorities
            ],
        )

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> ProfileFields:
        """Read the posted form; a priority whose "remove" box is ticked, or that is wholly empty, is left out."""
        fields = cls(**{name: str(form.get(name, "")) for name in _SCALARS})
        try:
            count = min(int(form.get("priority_count", "0")), 50)
        except ValueError:
            count = 0
        for index in range(count):
            item = PriorityFields(
                title=str(form.get(f"p{index}-title", "")),
                text=str(form.get(f"p{index}-text", "")),
                keywords=str(form.get(f"p{index}-keywords", "")),
                weight=str(form.get(f"p{index}-weight", "")),
            )
            if form.get(f"p{index}-remove"):
                continue
            if not any(v.strip() for v in (item.title, item.text, item.keywords, item.weight)):
                continue
            fields.priorities.append(item)
        return fields

    def to_toml(self) -> str:
        """TOML text in the profile file format (keys in a fixed order; comments are not kept)."""
        out = [f"name = {_toml_str(self.name.strip())}"]
        if self.description.strip():
            out.append(f"description = {_toml_str(self.description.strip())}")
        for name in ("recipients", "exclude", "favour_funders", "ignore_funders", "ignore_sources"):
            values = _split(getattr(self, name))
            if values:
                out.append(f"{name} = {_toml_list(values)}")
        if self.min_score.strip():
            out.append(f"min_score = {_toml_number(self.min_score)}")
        if self.max_matches.strip():
            out.append(f"max_matches = {_toml_number(self.max_matches)}")
        for priority in self.priorities:
            out.append("")
            out.append("[[priorities]]")
            out.append(f"title = {_toml_str(priority.title.strip())}")
            out.append(f"text = {_toml_str(priority.text.strip())}")
            keywords = _split(priority.keywords)
            if keywords:
                out.append(f"keywords = {_toml_list(keywords)}")
            if priority.weight.strip():
                out.append(f"weight = {_toml_number(priority.weight)}")
        return "\n".join(out) + "\n"


_SCALARS = (
    "name",
    "description",
    "recipients",
    "exclude",
    "min_score",
    "max_matches",
    "favour_funders",
    "ignore_funders",
    "ignore_sources",
)


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _split(text: str) -> list[str]:
    return [part.strip() for part in LIST_SPLIT.split(text) if part.strip()]


def _toml_str(value: str) -> str:
    """A TOML basic string (multi-line when the text has line breaks); every special character escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if "\n" not in value:
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    escaped = []
    for char in value:
        if char == "\\":
            escaped.append("\\\\")
        elif char == '"':
            escaped.append('\\"')
        elif char in "\n\t":
            escaped.append(char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"""\n' + "".join(escaped) + '"""'


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def _toml_number(text: str) -> str:
    """A number when the text is one (a decimal comma is accepted); otherwise a string, which validation refuses."""
    candidate = text.strip().replace(",", ".").replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"[+-]?\d+", candidate):
        return str(int(candidate))
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", candidate):
        return repr(float(candidate))
    return _toml_str(text.strip())


# --- errors by field ---------------------------------------------------------------------------

_LINE = re.compile(
    r"^(?P<where>[^:\n]*?(?:, line (?P<line>\d+))?): (?P<field>[a-z_]+(?:\[(?P<index>\d+)\])?(?:\.(?P<sub>[a-z_]+))?): "
    r"(?P<message>.*)$"
)

_SWEDISH = [
    (re.compile(r"^is required \(a text\)$"), "måste fyllas i"),
    (re.compile(r"^must not be empty$"), "får inte vara tomt"),
    (re.compile(r"^expected a text, got .*$"), "ska vara en text"),
    (re.compile(r"^expected a list of texts.*$"), "ska vara en lista med texter"),
    (re.compile(r"^'(.*)' is not an email address$"), r"”\1” är inte en e-postadress"),
    (re.compile(r"^must be a number between 0 and 1, got (.*)$"), r"ska vara ett tal mellan 0 och 1 (fick \1)"),
    (re.compile(r"^must be an integer from 1 to 100, got (.*)$"), r"ska vara ett heltal från 1 till 100 (fick \1)"),
    (
        re.compile(r"^must be a number above 0 and at most 10, got (.*)$"),
        r"ska vara ett tal större än 0 och högst 10 (fick \1)",
    ),
    (re.compile(r"^repeats the title '(.*)'$"), r"rubriken ”\1” finns redan i en annan prioritering"),
    (re.compile(r"^at least one \[\[priorities\]\] table is required$"), "minst en prioritering behövs"),
    (re.compile(r"^must be \[\[priorities\]\] tables$"), "ska vara [[priorities]]-tabeller"),
    (re.compile(r"^'(.*)' is already used by (.*)$"), r"namnet ”\1” används redan av \2"),
    (re.compile(r"^unknown key; allowed: (.*)$"), r"okänd nyckel; tillåtna: \1"),
]


_LABELS = {
    "name": "Namn",
    "description": "Beskrivning",
    "recipients": "Mottagare",
    "exclude": "Uteslut",
    "min_score": "Lägsta poäng",
    "max_matches": "Högst antal per veckobrev",
    "favour_funders": "Gynna finansiärer",
    "ignore_funders": "Ignorera finansiärer",
    "ignore_sources": "Ignorera källor",
    "priorities": "Prioriteringar",
    "title": "rubrik",
    "text": "text",
    "keywords": "nyckelord",
    "weight": "vikt",
}


def field_label(key: str) -> str:
    """The Swedish label of a form field id: ``p0-weight`` -> "Prioritering 1, vikt"."""
    found = re.fullmatch(r"p(\d+)-([a-z_]+)", key)
    if found:
        return f"Prioritering {int(found.group(1)) + 1}, {_LABELS.get(found.group(2), found.group(2))}"
    return _LABELS.get(key, key)


def swedish(message: str) -> str:
    for pattern, replacement in _SWEDISH:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message


@dataclass
class FieldErrors:
    """Errors keyed by form field id (``name``, ``p0-weight``, ...); ``general`` holds the rest."""

    by_field: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.by_field or self.general)

    def all(self) -> list[tuple[str | None, str]]:
        """(field id or None, message) in display order, for the error summary."""
        out: list[tuple[str | None, str]] = [(key, msg) for key, msgs in self.by_field.items() for msg in msgs]
        return out + [(None, msg) for msg in self.general]


def field_errors(message: str) -> FieldErrors:
    """Map a ProfileError message (one problem per line) to the form's fields."""
    errors = FieldErrors()
    for line in message.splitlines():
        line = line.strip()
        if not line:
            continue
        found = _LINE.match(line)
        if not found:
            errors.general.append(line)
            continue
        name = found.group("field").split("[")[0].split(".")[0]
        index, sub = found.group("index"), found.group("sub")
        text = swedish(found.group("message"))
        where = found.group("where").split(",")[0]
        text = f"{text} ({where}, rad {found.group('line')})" if found.group("line") else f"{text} ({where})"
        if name == "priorities" and index is not None and sub in ("title", "text", "keywords", "weight"):
            key = f"p{int(index) - 1}-{sub}"
        elif name in _SCALARS:
            key = name
        elif name == "priorities":
            key = "priorities"
        else:
            errors.general.append(f"{found.group('field')}: {text}")
            continue
        errors.by_field.setdefault(key, []).append(text)
    return errors
