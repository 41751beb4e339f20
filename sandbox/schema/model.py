"""Schema model: compact field and object specs, and the per-org schema that holds them.

Field specs are written compactly as tuples ``(name, type, label, length, flags, opts)``:

- ``flags``: ``c`` createable, ``u`` updateable, ``n`` nillable, ``d`` defaultedOnCreate,
  ``x`` externalId, ``q`` unique, ``r`` restrictedPicklist, ``C`` custom.
- ``opts`` (optional dict): ``ref`` (referenceTo tuple), ``rel`` (relationshipName), ``values`` (picklist:
  value strings, or ``(value, label)`` / ``(value, label, active)`` tuples), ``default`` (defaultValue),
  ``extra`` (extraTypeInfo), ``compound`` (compoundFieldName), ``child`` (the parent's child-relationship
  name for this lookup), ``cascade`` (cascadeDelete on that child relationship), ``derived`` (the sandbox
  computes the value), and any describe key spelled as in the describe (overrides the type default).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STRING_TYPES = frozenset(
    {"string", "textarea", "email", "phone", "url", "picklist", "multipicklist", "combobox", "encryptedstring"}
)
TEXT_TYPES = STRING_TYPES - {"picklist", "multipicklist"}
DEFAULT_URL_KEYS = (
    "approvalLayouts", "compactLayouts", "describe", "layouts", "listviews", "quickActions", "rowTemplate", "sobject",
)  # fmt: skip
DESCRIBE_OPTS = frozenset({"ref", "rel", "values", "default", "extra", "compound", "child", "cascade", "derived"})


@dataclass(slots=True)
class Field:
    name: str
    type: str
    label: str
    length: int = 0
    createable: bool = False
    updateable: bool = False
    nillable: bool = True
    defaulted: bool = False
    external_id: bool = False
    unique: bool = False
    restricted: bool = False
    custom: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    picklist: tuple[tuple[str, str, bool], ...] = ()
    default: Any = None
    extra_type: str | None = None
    compound: str | None = None
    child_relationship: str | None = None
    cascade_delete: bool = False
    derived: bool = False
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def active_values(self) -> frozenset[str]:
        return frozenset(v for v, _label, active in self.picklist if active)

    @property
    def required_on_create(self) -> bool:
        return self.createable and not self.nillable and not self.defaulted

    @property
    def id_lookup(self) -> bool:
        """What describe calls ``idLookup``: the field can key an upsert or a read by value (Id, Email, ...)."""
        if "idLookup" in self.overrides:
            return bool(self.overrides["idLookup"])
        return self.type in ("id", "email") or self.external_id


def make_field(spec: tuple) -> Field:
    name, ftype, label, length, flags, *rest = spec
    opts = dict(rest[0]) if rest else {}
    values = []
    for item in opts.pop("values", ()):
        if isinstance(item, str):
            values.append((item, item, True))
        elif len(item) == 2:
            values.append((item[0], item[1], True))
        else:
            values.append((item[0], item[1], bool(item[2])))
    return Field(
        name=name,
        type=ftype,
        label=label,
        length=length,
        createable="c" in flags,
        updateable="u" in flags,
        nillable="n" in flags,
        defaulted="d" in flags,
        external_id="x" in flags,
        unique="q" in flags,
        restricted="r" in flags,
        custom="C" in flags,
        reference_to=tuple(opts.pop("ref", ())),
        relationship_name=opts.pop("rel", None),
        picklist=tuple(values),
        default=opts.pop("default", None),
        extra_type=opts.pop("extra", None),
        compound=opts.pop("compound", None),
        child_relationship=opts.pop("child", None),
        cascade_delete=bool(opts.pop("cascade", False)),
        derived=bool(opts.pop("derived", False)),
        overrides=opts,
    )


@dataclass(slots=True)
class SObjectSpec:
    name: str
    label: str
    label_plural: str
    key_prefix: str
    fields: dict[str, Field]
    flags: dict[str, Any] = field(default_factory=dict)  # object-level describe overrides
    scopes: tuple[tuple[str, str], ...] = ()
    url_keys: tuple[str, ...] = DEFAULT_URL_KEYS
    custom: bool = False
    lowered: dict[str, Field] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        self.lowered = {name.lower(): f for name, f in self.fields.items()}

    def get(self, name: str) -> Field | None:
        """Case-insensitive field lookup (Salesforce field names are case-insensitive)."""
        f = self.fields.get(name)
        return f if f is not None else self.lowered.get(name.lower())

    def add_field(self, f: Field) -> None:
        self.fields[f.name] = f
        self.reindex()

    def copy(self) -> SObjectSpec:
        return SObjectSpec(
            name=self.name,
            label=self.label,
            label_plural=self.label_plural,
            key_prefix=self.key_prefix,
            fields=dict(self.fields),
            flags=dict(self.flags),
            scopes=self.scopes,
            url_keys=self.url_keys,
            custom=self.custom,
        )


def make_sobject(
    name: str,
    label: str,
    label_plural: str,
    key_prefix: str,
    fields: tuple[tuple, ...],
    *,
    flags: dict[str, Any] | None = None,
    scopes: tuple[tuple[str, str], ...] = (),
    url_keys: tuple[str, ...] = DEFAULT_URL_KEYS,
) -> SObjectSpec:
    built = [make_field(spec) for spec in fields]
    return SObjectSpec(
        name=name,
        label=label,
        label_plural=label_plural,
        key_prefix=key_prefix,
        fields={f.name: f for f in built},
        flags=dict(flags or {}),
        scopes=scopes,
        url_keys=url_keys,
    )
