"""Panels that apps above community add to a community's page (a thematic community's
open challenges, say), so that community imports none of them.

A panel is `render(request, community)` returning HTML (safe, from a template) or an
empty value; it decides what the viewer may see, as every page does.
"""

_panels = []


def register_community_panel(render):
    _panels.append(render)


def community_panels(request, community):
    """The HTML of every panel that has something for this viewer, in registration order."""
    return [html for render in _panels if (html := render(request, community))]
