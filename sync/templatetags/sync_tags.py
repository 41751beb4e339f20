from django import template

from sync import humanize

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ record.data|get_item:field }}`: API names are not template attribute names."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def ago(value):
    """`{{ state.last_run_at|ago }}`: "just now", "3 minutes ago", "never"."""
    return humanize.ago(value)
