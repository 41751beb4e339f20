"""`manage.py demo_activity [--prospects N]`: realistic prospects, sequences and activities for the demo workspace."""

from django.core.management.base import BaseCommand, CommandError

from activities.services.demo import demo_activity_generate
from workspaces.demo import DEMO_WORKSPACE_SLUG
from workspaces.models import Workspace


class Command(BaseCommand):
    help = "Generate demo activity (through the ingest service, so writeback jobs are queued) for a workspace."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", default=DEMO_WORKSPACE_SLUG, help="Workspace slug (default: the demo).")
        parser.add_argument("--prospects", type=int, default=8)

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace {options['workspace']!r}; run `manage.py seed_demo` first.")
        result = demo_activity_generate(workspace=workspace, prospects=options["prospects"])
        self.stdout.write(f"Generated {len(result.results)} events for {workspace.name}; writes are queued.")
