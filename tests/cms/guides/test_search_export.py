from cms.guides.search_export import search_document
from tests.cms.factories import DEPARTMENT_ID, OTHER_THEME_ID, guide_content


def test_live_guide_becomes_a_search_document() -> None:
    guide = {**guide_content(), "id": "g1", "materials": [{"id": "m1", "name": "申请表"}, {"id": "m2",
                                                                                        "name": "营业执照"}]}
    doc = search_document(guide, department_names={DEPARTMENT_ID: "区经信局"},
                          theme_names={OTHER_THEME_ID: "开办企业"}, popularity=12)
    assert (doc.id, doc.name, doc.department, doc.item_type) == ("g1", "企业投资项目备案", "区经信局", "10")
    assert doc.aliases == ["项目备案"]
    assert doc.themes == ["开办企业"]
    assert doc.materials == ["申请表", "营业执照"]
    assert doc.popularity == 12
    assert doc.filters == {"department": DEPARTMENT_ID, "themes": [OTHER_THEME_ID], "item_type": "10",
                           "service_objects": ["2"], "payment_online": False, "level": "4", "online_depth": 4,
                           "visits": 0}


def test_missing_optional_fields_are_left_out_of_filters() -> None:
    guide = {"id": "g2", "name": "咨询", "department_id": "d", "item_type": "20"}
    doc = search_document(guide, department_names={}, theme_names={})
    assert doc.filters == {"department": "d", "themes": [], "item_type": "20", "service_objects": [],
                           "payment_online": False}
    assert doc.department == ""
