"""Django's class-based views for the scenarios: a view class rendered for a GET
request, its template response's text returned."""


def rendered(view_class, **kwargs):
    """The text `view_class` renders for `GET /`, `kwargs` being the URL's arguments."""
    from django.test import RequestFactory

    response = view_class.as_view()(RequestFactory().get("/"), **kwargs)
    response.render()
    return response.content.decode()
