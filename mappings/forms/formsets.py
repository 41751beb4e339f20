"""What every settings table of rows shares: a Remove box that follows its row's field, the rows that count, and
the Salesforce field a row shows."""

from __future__ import annotations

from django import forms

from mappings.compat import field_lookup


class ShownTargetMixin:
    """For a row form with `sf_fields` (the object's describe fields, or None) and a `target_field`."""

    sf_fields: dict[str, dict] | None

    def _shown_target(self) -> dict | None:
        """The target field the row shows: as submitted, else as saved (None when unknown)."""
        if self.sf_fields is None:
            return None
        name = self.data.get(self.add_prefix("target_field")) if self.is_bound else self.initial.get("target_field")
        return field_lookup(self.sf_fields, name.strip()) if isinstance(name, str) and name.strip() else None


class RowFormSet(forms.BaseFormSet):
    field_key = "target_field"
    """The row's field: a row whose field is locked cannot be removed either."""
    remove_label = "Remove"

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = self.remove_label
            form.fields["DELETE"].disabled = form.fields[self.field_key].disabled

    def live_forms(self) -> list[forms.Form]:
        """Saved rows not marked for removal, plus new rows someone filled in."""
        live = []
        for index, form in enumerate(self.forms):
            if self.can_delete and self._should_delete_form(form):
                continue
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            live.append(form)
        return live
