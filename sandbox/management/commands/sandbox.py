"""``python manage.py sandbox --port 8765 [--state FILE] [--latency-ms N] [--tls] [--seed-demo]``."""

from django.core.management.base import BaseCommand, CommandError

from sandbox.cli import StartError, add_arguments, serve


class Command(BaseCommand):
    help = "Serve the Salesforce sandbox (an in-memory org emulator) in the foreground."

    def add_arguments(self, parser):
        add_arguments(parser)

    def handle(self, *args, **options):
        import argparse

        try:
            serve(argparse.Namespace(**options), out=self.stdout)
        except StartError as exc:
            raise CommandError(str(exc)) from None
