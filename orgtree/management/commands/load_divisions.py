from django.core.management.base import BaseCommand, CommandError

from orgtree import divisions
from orgtree.choices import Form


class Command(BaseCommand):
    help = "Load or update the unit tree from a division-code CSV (plain or .xz); a rerun changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--root", default="", help="load only this code's subtree (and its ancestors)")
        parser.add_argument(
            "--village-form",
            default=Form.CONGRESS,
            choices=[Form.CONGRESS, Form.FEDERATION],
            help="form of newly created villages/communities (default: women's congress)",
        )
        parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")

    def handle(self, *args, **options):
        try:
            rows = divisions.read_divisions(options["file"])
            plan = divisions.plan(rows, options["root"])
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"cannot read {options['file']}: {exc}") from exc
        self.stdout.write(f"{len(rows)} divisions read; complete for: {plan.complete_root or 'whole file'}")
        self.stdout.write(f"plan: {plan.summary()}")
        if options["dry_run"]:
            return
        divisions.apply(plan, village_form=options["village_form"], log=self.stdout.write)
        for _pk, why in plan.kept_open:
            self.stderr.write(f"kept open: {why}")
