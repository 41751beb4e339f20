"""Value translations of a Task mapping section: one of our values written as one of the org's.

A row names a Task field the section maps from our data, our value ("Connected") and what to write instead
("Connected – interested"), chosen from the field's picklist values when it has them. The rows are a formset of
their own beside the mapping rows; `translations_attach` folds them into the rows the section saves.
"""

from __future__ import annotations

from django import forms

from mappings.compat import field_lookup
from mappings.forms.formsets import RowFormSet, ShownTargetMixin
from mappings.forms.widgets import FieldSelect, ValueInput, field_choices
from mappings.types import ValueSource
from mappings.values import InvalidValue, constant_clean

NOT_MAPPED = "{field} is not mapped from our data in this section: map it to a variable first, or remove this row."


def translation_targets(mapping_rows: list[dict], targets: list[dict]) -> list[dict]:
    """The Task fields a translation may name: those the section maps from one of our variables."""
    by_name = {f["name"].lower(): f for f in targets}
    names = [row["target_field"] for row in mapping_rows if row.get("source") == ValueSource.VARIABLE]
    return [by_name[name.lower()] for name in dict.fromkeys(names) if name and name.lower() in by_name]


class TranslationRowForm(ShownTargetMixin, forms.Form):
    target_field = forms.CharField(label="Salesforce field", max_length=255)
    ours = forms.CharField(label="Our value", max_length=255)
    theirs = forms.CharField(
        label="Write instead",
        max_length=255,
        widget=ValueInput(
            label="Write instead", other_label="Other value to write", list_label="Value to write",
            blank_label="— choose a value —", optional=False,
        ),
    )  # fmt: skip

    def __init__(self, *args, sf_fields: dict[str, dict] | None, offered: list[dict], readonly: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.sf_fields = sf_fields
        current = [self.initial.get("target_field", "")]
        self.fields["target_field"].widget = FieldSelect(
            choices=field_choices(offered, current=current), sf_fields={f["name"]: f for f in offered}
        )
        self.fields["target_field"].widget.attrs.update(
            {"data-role": "target", "data-translation-target": "", "aria-label": "Salesforce field"}
        )
        self.fields["ours"].widget.attrs.update(
            {"aria-label": "Our value", "autocomplete": "off", "placeholder": "e.g. Connected"}
        )
        self.fields["theirs"].widget.attrs.update({"data-role": "theirs", "autocomplete": "off"})
        self.fields["theirs"].widget.sf_field = self._shown_target()
        if readonly:
            for field in self.fields.values():
                field.disabled = True

    def clean_ours(self) -> str:
        return self.cleaned_data["ours"].strip()

    def clean(self):
        cleaned = super().clean()
        name = (cleaned.get("target_field") or "").strip()
        field = field_lookup(self.sf_fields, name) if self.sf_fields is not None and name else None
        if field is not None:
            cleaned["target_field"] = field["name"]
        widget = self.fields["theirs"].widget
        if self.is_bound and widget.typed_conflict(self.data, self.add_prefix("theirs")):
            chosen, typed = widget.posted(self.data, self.add_prefix("theirs"))
            self.add_error("theirs", f"You picked “{';'.join(chosen)}” and also typed “{typed.strip()}”: keep one.")
            return cleaned
        theirs = cleaned.get("theirs")
        if field is not None and theirs:
            try:
                cleaned["theirs"] = constant_clean(field, theirs)
            except InvalidValue as exc:
                self.add_error("theirs", str(exc))
        return cleaned

    def row(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("target_field", "ours", "theirs")}


class BaseTranslationFormSet(RowFormSet):
    remove_label = "Remove translation"

    mapped: dict[str, str] = {}
    """Lowercase name -> API name of the fields the submitted mapping takes from our data (set by the view)."""

    def clean(self):
        seen: dict[tuple[str, str], int] = {}
        for form in self.live_forms():
            data = getattr(form, "cleaned_data", {})
            name, ours = data.get("target_field"), data.get("ours")
            if not name or not ours:
                continue
            if name.lower() not in self.mapped:
                form.add_error("target_field", NOT_MAPPED.format(field=name))
                continue
            key = (name.lower(), ours.lower())
            if key in seen:
                form.add_error("ours", f"“{ours}” is already translated for {name} in row {seen[key] + 1}.")
            else:
                seen[key] = self.forms.index(form)

    def rows(self) -> list[dict]:
        return [form.row() for form in self.live_forms() if form.is_valid()]

    def valid_rows(self) -> list[dict]:
        return [form.row() for form in self.live_forms() if not form.errors]

    def fields_named(self) -> set[str]:
        """Lowercase names of the fields the submitted rows translate (whether or not the rows are valid yet)."""
        names = set()
        for form in self.live_forms():
            raw = self.data.get(form.add_prefix("target_field")) if self.is_bound else form.initial.get("target_field")
            if isinstance(raw, str) and raw.strip():
                names.add(raw.strip().lower())
        return names


TranslationFormSet = forms.formset_factory(TranslationRowForm, formset=BaseTranslationFormSet, extra=0, can_delete=True)


def translation_initial(mappings) -> list[dict]:
    return [
        {"target_field": m.target_field, "ours": t.ours, "theirs": t.theirs}
        for m in mappings
        if m.pk is not None
        for t in m.translations.all()
    ]


def translation_formset(
    data=None,
    *,
    prefix: str,
    sf_fields: dict[str, dict] | None,
    offered: list[dict],
    mappings,
    readonly: bool,
) -> BaseTranslationFormSet:
    formset = TranslationFormSet(
        data,
        prefix=prefix,
        initial=translation_initial(mappings),
        form_kwargs={"sf_fields": sf_fields, "offered": offered, "readonly": readonly},
    )
    return formset


def translations_attach(rows: list[dict], translations: list[dict]) -> list[dict]:
    """Mapping rows with the translations of their field under "translations" (rows without any get none)."""
    by_field: dict[str, list[dict]] = {}
    for t in translations:
        by_field.setdefault(t["target_field"].lower(), []).append({"ours": t["ours"], "theirs": t["theirs"]})
    result = []
    for row in rows:
        found = by_field.get(row["target_field"].lower()) if row.get("source") == ValueSource.VARIABLE else None
        result.append({**row, "translations": found} if found else row)
    return result
