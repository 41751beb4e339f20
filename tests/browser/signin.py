"""Signing in through the real allauth form, as a person does."""

from tests.factories import DEFAULT_PASSWORD


def sign_in(page, url: str, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """Open `url` (the sign-in page, or a page that redirects there) and sign in; the browser lands on `url`."""
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
