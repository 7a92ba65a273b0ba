from cms.content.diff import diff


def paths(changes):
    return [(c.path, c.change) for c in changes]


def test_equal_snapshots_have_no_changes() -> None:
    snapshot = {"name": "a", "materials": [{"id": "m1", "name": "x"}], "fees": {"charged": False}}
    assert diff(snapshot, snapshot) == []


def test_scalar_nested_added_and_removed_fields() -> None:
    before = {"name": "旧名称", "fees": {"charged": False}, "place": "一楼"}
    after = {"name": "新名称", "fees": {"charged": True, "basis": "文件"}, "hours": "9:00-17:00"}
    changes = diff(before, after)
    assert paths(changes) == [("name", "changed"), ("fees.charged", "changed"), ("fees.basis", "added"),
                              ("place", "removed"), ("hours", "added")]
    assert changes[0].before == "旧名称"
    assert changes[0].after == "新名称"
    assert {c.field for c in changes} == {"name", "fees", "place", "hours"}


def test_materials_are_matched_by_slot_id_not_position() -> None:
    before = {"materials": [{"id": "m1", "name": "身份证"}, {"id": "m2", "name": "户口簿"}]}
    after = {"materials": [{"id": "m3", "name": "结婚证"}, {"id": "m1", "name": "身份证"},
                           {"id": "m2", "name": "户口本"}]}
    changes = diff(before, after)
    assert paths(changes) == [("materials[id=m2].name", "changed"), ("materials[id=m3]", "added")]
    assert changes[1].after == {"id": "m3", "name": "结婚证"}


def test_removed_and_reordered_slots() -> None:
    before = {"materials": [{"id": "m1", "name": "a"}, {"id": "m2", "name": "b"}, {"id": "m3", "name": "c"}]}
    after = {"materials": [{"id": "m3", "name": "c"}, {"id": "m1", "name": "a"}]}
    changes = diff(before, after)
    assert paths(changes) == [("materials[id=m2]", "removed"), ("materials", "reordered")]
    assert changes[1].before == ["m1", "m3"]
    assert changes[1].after == ["m3", "m1"]


def test_lists_without_ids_compare_by_position_and_plain_lists_as_a_whole() -> None:
    before = {"process_steps": [{"name": "申请"}], "themes": ["a", "b"]}
    after = {"process_steps": [{"name": "申请", "description": "网上"}, {"name": "受理"}], "themes": ["b"]}
    assert paths(diff(before, after)) == [("process_steps[0].description", "added"), ("process_steps[1]", "added"),
                                          ("themes", "changed")]


def test_first_material_added_to_an_empty_list_is_named_by_id() -> None:
    assert paths(diff({"materials": []}, {"materials": [{"id": "m1", "name": "a"}]})) == [
        ("materials[id=m1]", "added")]
