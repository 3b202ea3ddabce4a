from __future__ import annotations

import pytest

from synctui.connectors.jsonfile import jsonfile_definition
from synctui.connectors.memory import MemoryDirectory
from synctui.connectors.tenant import tenant_definition
from synctui.templates import get_template

from .harness import Harness, person


@pytest.fixture
def harness() -> Harness:
    users = [person(1), person(2, manager="u1"), person(3, manager="u1"), person(4, accountEnabled=False)]
    groups = [{"id": "g1", "objectId": "g1", "displayName": "Sales", "mailNickname": "sales", "members": ["u1", "u2"]}]
    source = MemoryDirectory(tenant_definition(), {"User": users, "Group": groups})
    target = MemoryDirectory(jsonfile_definition(), seed=7)
    schema = get_template("jsonfile").schema_
    assert schema is not None
    return Harness(source, target, schema)
