import pytest
from tests.e2e.test_dedup_entry import _programme
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a():
    _programme()
