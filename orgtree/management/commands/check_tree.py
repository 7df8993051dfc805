from django.core.management.base import BaseCommand

from orgtree.tree import check_tree


class Command(BaseCommand):
    help = "Check the MPTT trees and ancestor columns against the parent links; --rebuild repairs them."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="lay broken trees out again")

    def handle(self, *args, **options):
        problems = check_tree(repair=options["rebuild"])
        for pk, what in problems[:50]:
            self.stdout.write(f"unit {pk}: {what}")
        if len(problems) > 50:
            self.stdout.write(f"... and {len(problems) - 50} more")
        if not problems:
            self.stdout.write(self.style.SUCCESS("tree is sound"))
        elif options["rebuild"]:
            left = check_tree()
            self.stdout.write(
                self.style.SUCCESS("repaired") if not left else self.style.ERROR(f"{len(left)} problems remain")
            )
        else:
            self.stdout.write(self.style.WARNING(f"{len(problems)} problems; run with --rebuild to repair"))
            raise SystemExit(1)
