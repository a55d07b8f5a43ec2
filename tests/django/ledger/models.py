"""Models the write-in-loop scenarios (ORM401-403) insert, update and delete.

`CALLS` records what ran besides the SQL: a model's own `save()`/`delete()` and the
receivers of its signals. Scenarios clear it, write, and return it with the rows, so a
fix that skipped one of them would change the result.
"""

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

CALLS = []


class Entry(models.Model):
    """Nothing but columns: a bulk write does what the loop did."""

    name = models.CharField(max_length=50)
    status = models.CharField(max_length=10, default="open")


class Audited(models.Model):
    """Its own `save()` and `delete()`, which bulk writes do not call."""

    name = models.CharField(max_length=50)
    status = models.CharField(max_length=10, default="open")

    def save(self, *args, **kwargs):
        CALLS.append(f"save {self.name}")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        CALLS.append(f"delete {self.name}")
        return super().delete(*args, **kwargs)


class Watched(models.Model):
    """Receivers of `post_save` and `post_delete` (below)."""

    name = models.CharField(max_length=50)
    status = models.CharField(max_length=10, default="open")


@receiver(post_save, sender=Watched)
def watched_saved(sender, instance, **kwargs):
    CALLS.append(f"post_save {instance.name}")


@receiver(post_delete, sender=Watched)
def watched_deleted(sender, instance, **kwargs):
    CALLS.append(f"post_delete {instance.name}")


class Place(models.Model):
    name = models.CharField(max_length=50)


class Restaurant(Place):
    """A multi-table inheritance child: `bulk_create()` refuses it."""

    stars = models.IntegerField(default=0)


class Sku(models.Model):
    """Which columns Django gives an index (test_index_facts.py, ORM701)."""

    plain = models.CharField(max_length=20)
    number = models.IntegerField()
    when = models.DateTimeField(null=True)
    flagged = models.CharField(max_length=20, db_index=True)
    code = models.CharField(max_length=20, unique=True)
    slug = models.SlugField()
    parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE)
    loose = models.ForeignKey("self", null=True, on_delete=models.CASCADE, db_index=False, related_name="+")
    first = models.CharField(max_length=20)
    second = models.CharField(max_length=20)
    pair_a = models.CharField(max_length=20)
    pair_b = models.IntegerField()
    guarded = models.CharField(max_length=20)
    kind = models.CharField(max_length=5, choices=[("a", "A")])
    body = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["first", "-second"], name="sku_first_second")]
        unique_together = [("pair_a", "pair_b")]
        constraints = [models.UniqueConstraint(fields=["guarded"], name="sku_guarded")]
