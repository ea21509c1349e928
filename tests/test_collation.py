from thidua.core.collation import sort_key


def test_vietnamese_letters_and_tones():
    words = ["Đông", "Dương", "Ân", "An", "Ăn", "Bắc", "Ba", "ơn", "ổ", "o", "Hà", "Hả", "Ha", "Hạ", "Há", "Hã"]
    assert sorted(words, key=sort_key) == ["An", "Ăn", "Ân", "Ba", "Bắc", "Dương", "Đông", "Ha", "Hà", "Hả",
                                           "Hã", "Há", "Hạ", "o", "ổ", "ơn"]


def test_numbers_by_value():
    assert sorted(["Cụm 10", "Cụm 2", "Cụm 1"], key=sort_key) == ["Cụm 1", "Cụm 2", "Cụm 10"]


def test_combining_accents_sort_as_precomposed():
    assert sort_key("Xã") [:2] == sort_key("Xa\u0303")[:2]
