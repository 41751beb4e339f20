import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone

from core.humanize import ago


@pytest.mark.parametrize(
    ("minutes", "said"),
    [(0.2, "just now"), (-0.5, "just now"), (1, "1 minute ago"), (59, "59 minutes ago"), (61, "1 hour ago"),
     (36 * 60, "36 hours ago"), (3 * 24 * 60 + 5, "3 days ago")],
)  # fmt: skip
def test_times_read_naturally(minutes, said):
    now = timezone.now()
    assert ago(now - dt.timedelta(minutes=minutes), now) == said


def test_the_template_filter_says_never_for_no_time():
    template = Template("{% load when %}{{ a|ago }} / {{ b|ago }}")
    text = template.render(Context({"a": None, "b": timezone.now() - dt.timedelta(hours=3)}))
    assert text == "never / 3 hours ago"
