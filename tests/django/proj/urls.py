"""Every admin site the scenarios register their `ModelAdmin` classes on."""

import importlib

from django.contrib.admin.sites import all_sites
from django.urls import path

from harness.runner import scenario_modules

for _module in scenario_modules():
    importlib.import_module(_module)

urlpatterns = [path(f"{site.name}/", site.urls) for site in sorted(all_sites, key=lambda s: s.name)]
