from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class Team(models.Model):
    # No Meta.ordering.
    name = models.CharField(max_length=50)


class User(AbstractUser):
    """The custom user (AUTH_USER_MODEL = "accounts.User")."""

    display_name = models.CharField(max_length=100, blank=True)
    # Nullable FK: `select_related()` without arguments does not follow it.
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )


class Profile(models.Model):
    # Reverse one-to-one without related_name: `user.profile`.
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    bio = models.CharField(max_length=200)
    website = models.CharField(max_length=200)
