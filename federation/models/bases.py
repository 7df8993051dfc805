"""Abstract bases of the objects that history and scope track. They add no column of their own beyond
`version`: `UnitOwned` states the convention, `Versioned` carries the counter `federation.writes` bumps."""

from django.db import models


class UnitOwned(models.Model):
    """An object of one unit. `scope_unit_path` is the lookup from the model to that unit: `scope.restrict()`
    filters by it and every history record of the object carries the unit it leads to. A model whose unit is
    reached through another object overrides it (e.g. "term__unit")."""

    scope_unit_path = "unit"

    class Meta:
        abstract = True


class Versioned(models.Model):
    """Optimistic concurrency: every write bumps `version` (`federation.writes.save`); a write based on an
    older version is refused (`federation.writes.check_version`)."""

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True
