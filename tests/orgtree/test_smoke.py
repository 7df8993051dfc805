def test_tree_fixture_builds_a_sound_tree(tree):
    from orgtree.tree import check_tree

    assert check_tree() == []
