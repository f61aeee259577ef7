"""The CodeSystem medpass publishes for its discrepancy codes."""

from medpass.domain.discrepancies import DiscrepancyCode
from medpass.fhir.codes import DISCREPANCY_SYSTEM, discrepancy_code_system, safety_record_code_system
from tests.fhir_schema import schema_errors


def test_the_code_system_defines_every_discrepancy_code_and_is_valid_fhir() -> None:
    code_system = discrepancy_code_system()
    assert code_system["url"] == DISCREPANCY_SYSTEM
    assert [c["code"] for c in code_system["concept"]] == [code.value for code in DiscrepancyCode]
    assert schema_errors(code_system) == []


def test_the_safety_record_code_system_defines_the_valproate_acknowledgement_and_is_valid_fhir() -> None:
    code_system = safety_record_code_system()
    assert [c["code"] for c in code_system["concept"]] == ["valproate-annual-risk-acknowledgement"]
    assert schema_errors(code_system) == []
