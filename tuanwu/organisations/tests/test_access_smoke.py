from tuanwu.organisations import access


def test_town_secretary_sees_only_own_township(world):
    visible = set(access.visible_units(world.town_secretary).values_list("name", flat=True))
    assert visible == {"甲镇团委", "甲村团支部", "乙村团支部"}
