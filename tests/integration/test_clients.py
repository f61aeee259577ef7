"""Registered clients: a token recognised by its hash alone."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from medpass.db.rows import ApiClientRow
from medpass.services.clients import ClientCache, authenticate, create_client, token_hash
from tests.conftest import NOW


def test_a_registered_client_is_recognised_by_its_token_and_only_the_hash_is_stored(session: Session) -> None:
    client, token = create_client(session, name="Practice system", ods_code="zzg01", feed="gp",
                                  scopes=["system/Bundle.c", "system/Patient.rs"], now=NOW)
    row = session.scalars(select(ApiClientRow)).one()
    assert row.token_hash == token_hash(token) and token not in repr(row.__dict__)
    found = authenticate(session, token)
    assert found == client and found is not None and found.ods_code == "ZZG01"
    assert authenticate(session, token + "x") is None


def test_a_recognised_token_is_cached_for_a_minute_and_a_deactivated_client_is_refused_after_it(session: Session) -> None:
    client, token = create_client(session, name="Cached", ods_code="ZZG01", feed=None, scopes=["system/Patient.r"], now=NOW)
    cache = ClientCache()
    assert authenticate(session, token, cache, NOW) == client
    session.get_one(ApiClientRow, client.client_id).active = False
    session.commit()
    assert authenticate(session, token, cache, NOW + timedelta(seconds=59)) == client
    assert authenticate(session, token, cache, NOW + timedelta(seconds=60)) is None
    assert authenticate(session, "not a token", cache, NOW) is None
