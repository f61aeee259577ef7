"""SMART v2 system scopes: what each grants, and what is refused."""

import pytest

from medpass.domain.clients import ApiClient, Interaction, parse_scope
from medpass.domain.errors import InvalidRequest
from medpass.domain.feeds import Feed


def test_a_scope_grants_exactly_its_letters_on_its_resource_type() -> None:
    scope = parse_scope("system/MedicationStatement.rs")
    assert scope.allows("MedicationStatement", Interaction.READ) and scope.allows("MedicationStatement", Interaction.SEARCH)
    assert not scope.allows("MedicationStatement", Interaction.CREATE) and not scope.allows("Patient", Interaction.READ)


def test_a_wildcard_scope_covers_every_resource_type_and_v1_suffixes_are_understood() -> None:
    assert parse_scope("system/*.rs").allows("DetectedIssue", Interaction.SEARCH)
    assert parse_scope("system/Bundle.write").allows("Bundle", Interaction.CREATE)


@pytest.mark.parametrize("text", ["user/Patient.rs", "system/Patient.sr", "system/Patient.rr", "system/patient.r", "Patient.read"])
def test_malformed_scopes_are_refused(text: str) -> None:
    with pytest.raises(InvalidRequest):
        parse_scope(text)


def test_a_client_writes_only_its_own_feed() -> None:
    client = ApiClient(1, "Practice system", "ZZG01", Feed.GP, (parse_scope("system/Bundle.c"),))
    assert client.may_write(Feed.GP) and not client.may_write(Feed.ACUTE)
    assert client.allows("Bundle", Interaction.CREATE) and not client.allows("Bundle", Interaction.READ)
