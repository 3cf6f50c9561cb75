from onething.domain import scenes

SECRET = "s" * 40


def test_a_signed_scene_parses_back_from_both_event_kinds():
    scene = scenes.make(scenes.APPLICATION, "42", SECRET)
    assert len(scene) <= 64
    assert scenes.parse(scene, SECRET) == scenes.Scene("a", "42")  # SCAN: the scene itself
    assert scenes.parse("qrscene_" + scene, SECRET) == scenes.Scene("a", "42")  # subscribe: prefixed


def test_a_changed_reference_or_another_servers_signature_is_refused():
    scene = scenes.make(scenes.APPLICATION, "42", SECRET)
    assert scenes.parse(scene.replace(":42:", ":43:"), SECRET) is None
    assert scenes.parse(scenes.make(scenes.APPLICATION, "42", "t" * 40), SECRET) is None
    assert scenes.parse("a:42", SECRET) is None  # unsigned
    assert scenes.parse("something-else", SECRET) is None


def test_a_window_scene_grants_nothing_and_needs_no_signature():
    assert scenes.make(scenes.WINDOW, "W03", SECRET) == "w:W03"
    assert scenes.parse("qrscene_w:W03", SECRET) == scenes.Scene("w", "W03")


def test_an_enterprise_scene_fits_with_a_credit_code():
    scene = scenes.make(scenes.ENTERPRISE, "91350100M000100Y43", SECRET)
    assert len(scene) <= 64 and scenes.parse(scene, SECRET).ref == "91350100M000100Y43"
