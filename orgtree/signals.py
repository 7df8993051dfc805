"""Signals other apps listen to, so that orgtree never imports them."""

from django.dispatch import Signal

# Sent with `unit_ids` after the own figures (UnitFigures) of those units may have changed: offices,
# homes, terms, or the unit's kind, form, dates or place in the tree. The subtree figures of every
# ancestor change with them. Receivers that do real work should defer it to transaction.on_commit.
figures_changed = Signal()
