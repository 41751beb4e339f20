import pytest

from sandbox import ids


@pytest.mark.parametrize(
    ("id15", "id18"),
    [("00558000001N0Ke", "00558000001N0KeAAK"), ("001D000000K0fXO", "001D000000K0fXOIAZ")],
)
def test_to18_matches_salesforce_vectors(id15, id18):
    assert ids.to18(id15) == id18
    assert ids.to18(id18) == id18


def test_checksum_is_validated_case_insensitively():
    assert ids.is_well_formed("001D000000K0fXOIAZ")
    assert ids.is_well_formed("001D000000K0fXOiaz")  # suffix case does not matter
    assert not ids.is_well_formed("001D000000K0fXOAAA")  # wrong suffix
    assert not ids.is_well_formed("001D000000K0fX")  # wrong length
    assert not ids.is_well_formed("001D000000K0f-O")
    assert ids.normalize("001D000000K0fXO") == "001D000000K0fXOIAZ"
    assert ids.normalize("garbage") is None


def test_generated_ids_have_prefix_and_valid_checksum_and_are_unique():
    factory = ids.IdFactory()
    single = factory.new("003")
    block = factory.many("003", 5000)
    assert single not in block
    assert len(set(block)) == 5000
    for value in [single, *block[:50], *block[-50:]]:
        assert value.startswith("003") and len(value) == 18
        assert ids.to18(value[:15]) == value


def test_block_generation_crosses_base62_boundaries():
    factory = ids.IdFactory(start=62**5 - 2)
    block = factory.many("001", 5)
    assert [ids.to18(v[:15]) for v in block] == block
    assert len(set(block)) == 5


def test_sobject_for_prefix():
    assert ids.sobject_for("00Q8d000iW264W0EQI") == "Lead"
    assert ids.sobject_for("00T000000000000") == "Task"
