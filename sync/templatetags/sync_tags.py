from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ record.data|get_item:field }}`: API names are not template attribute names."""
    return mapping.get(key) if hasattr(mapping, "get") else None
