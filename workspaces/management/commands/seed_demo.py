from django.core.management.base import BaseCommand

from workspaces.demo import DEMO_PASSWORD, demo_seed


class Command(BaseCommand):
    help = "Create the demo workspace and its people (idempotent) and print how to sign in."

    def handle(self, *args, **options):
        workspace, people = demo_seed()
        self.stdout.write(self.style.SUCCESS(f"Demo workspace: {workspace.name} (/w/{workspace.slug}/)"))
        for person in people:
            staff = ", staff" if person.is_staff else ""
            self.stdout.write(f"  {person.role:<6} {person.email:<24} password: {DEMO_PASSWORD}{staff}")
