from training.rules import attendance_percent


def test_excused_sessions_never_count_against_a_learner_and_unmarked_ones_do():
    assert attendance_percent(["present", "excused", "late", None]) == 67
    assert attendance_percent(["excused", "excused"]) is None
    assert attendance_percent([]) is None
    assert attendance_percent(["absent", "present"]) == 50
