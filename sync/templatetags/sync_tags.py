from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ record.data|get_item:field }}`: API names are not template attribute names."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def cell(value):
    """A synced value as a person reads it: 350000.0 → "350,000", 12.5 → "12.5", True → "Yes", None → ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return value
