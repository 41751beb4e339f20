"""What every settings table of rows shares: a Remove box that follows its row's field, and the rows that count."""

from __future__ import annotations

from django import forms


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
