"""Registered clients: a token recognised by its hash alone."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from medpass.db.rows import ApiClientRow
from medpass.services.clients import authenticate, create_client, token_hash
from tests.conftest import NOW


def test_a_registered_client_is_recognised_by_its_token_and_only_the_hash_is_stored(session: Session) -> None:
    client, token = create_client(session, name="Practice system", ods_code="zzg01", feed="gp",
                                  scopes=["system/Bundle.c", "system/Patient.rs"], now=NOW)
    row = session.scalars(select(ApiClientRow)).one()
    assert row.token_hash == token_hash(token) and token not in repr(row.__dict__)
    found = authenticate(session, token)
    assert found == client and found is not None and found.ods_code == "ZZG01"
    assert authenticate(session, token + "x") is None
