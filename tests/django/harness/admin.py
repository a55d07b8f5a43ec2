"""Admin pages for the scenarios: each `ModelAdmin` is registered on an `AdminSite` of
its own (`proj/urls.py` serves them all), and its changelist or a change page's inlines
are rendered through `RequestFactory` for a superuser, as the admin links to them."""

from django.contrib.admin.sites import all_sites


def changelist(admin_class):
    """The result table of the changelist of the model `admin_class` is registered for."""
    model_admin, request = _superuser_request(admin_class)
    response = model_admin.changelist_view(request)
    response.render()
    html = response.content.decode()
    start = html.index('<table id="result_list">')
    return html[start : html.index("</table>", start)]


def inlines(admin_class, pk):
    """The inline formsets of the change page of row `pk` of the model `admin_class` is
    registered for."""
    model_admin, request = _superuser_request(admin_class)
    response = model_admin.change_view(request, str(pk))
    response.render()
    html = response.content.decode()
    start = html.index('<div class="js-inline-admin-formset')
    return html[start : html.index('<div class="submit-row"', start)]


def _superuser_request(admin_class):
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    from accounts.models import User

    site, model_admin = _registered(admin_class)
    request = RequestFactory().get("/")
    # Unsaved: creating it would hash a password; a superuser needs no permission rows.
    request.user = User(username="admin", is_staff=True, is_superuser=True, is_active=True)
    request.session = {}
    request._messages = FallbackStorage(request)
    request.current_app = site.name
    return model_admin, request


def _registered(admin_class):
    for site in all_sites:
        for model_admin in site._registry.values():
            if type(model_admin) is admin_class:
                return site, model_admin
    raise LookupError(f"{admin_class.__name__} is registered on no admin site")
