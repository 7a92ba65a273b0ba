"""A live guide as the search index sees it (cms.search.models.SearchDoc).

Takes the live form from ``get_live_guide`` / ``live_guides_changed_since`` and the names of the
department and themes (the index searches names; filters keep the ids).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cms.search.models import FilterValue, SearchDoc


def search_document(guide: Mapping[str, Any], *, department_names: Mapping[str, str],
                    theme_names: Mapping[str, str], popularity: float = 0.0) -> SearchDoc:
    themes = list(guide.get("themes", []))
    filters: dict[str, FilterValue] = {
        "department": guide["department_id"], "themes": themes, "item_type": guide["item_type"],
        "service_objects": list(guide.get("service_objects", [])),
        "payment_online": bool(guide.get("payment_online")),
    }
    for field, name in (("level", "level"), ("online_depth", "online_depth"), ("visits_required", "visits")):
        if guide.get(field) is not None:
            filters[name] = guide[field]
    return SearchDoc(
        id=guide["id"], name=guide["name"], aliases=list(guide.get("aliases", [])),
        department=department_names.get(guide["department_id"], ""),
        themes=[theme_names[t] for t in themes if t in theme_names],
        materials=[m["name"] for m in guide.get("materials", [])], item_type=guide["item_type"],
        popularity=popularity, filters=filters)
