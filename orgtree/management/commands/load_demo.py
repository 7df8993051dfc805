from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from federation.models import Role, UserScope
from orgtree.models import Unit

DEMO_FILE = settings.BASE_DIR / "data/divisions/nanping_350700_2023.csv"
# username, password, scope code, role — the README lists them.
DEMO_USERS = [
    ("admin", "banyan-admin", None, None),
    ("nanping", "banyan-nanping", "3507", Role.VIEWER),
    ("yanping", "banyan-yanping", "350702", Role.EDITOR),
]


class Command(BaseCommand):
    help = "Load the demo: 南平市 from the 2023 division data and three demo users (idempotent)."

    def handle(self, *args, **options):
        call_command("load_divisions", str(DEMO_FILE), stdout=self.stdout)
        users = get_user_model()
        for username, password, code, role in DEMO_USERS:
            user, created = users.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
                user.is_staff = user.is_superuser = code is None
                user.save()
            if code:
                UserScope.objects.get_or_create(user=user, unit=Unit.objects.open().get(code=code),
                                                defaults={"role": role})
        self.stdout.write(self.style.SUCCESS("demo ready: " + ", ".join(u[0] for u in DEMO_USERS)))
