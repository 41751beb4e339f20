from django import template

from core import humanize

register = template.Library()


@register.filter
def ago(value):
    """`{{ connection.last_success_at|ago }}`: "just now", "3 minutes ago", "never"."""
    return humanize.ago(value)
