"""With DATABASE_REPLICA_URL set, the figure pages read from the replica and everything
else (sign-in, sessions, writes, reads inside a transaction) stays on the primary."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.db import transaction

from thrive.core.replica import ReplicaRouter, reads_from_replica
from thrive.testing.factories import AssociateFactory, PersonFactory

from .serving import REPO, clean_env, database_url

SCRIPT = r"""
import json, django
django.setup()
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from thrive.accounts.models import Associate
from thrive.contacts.models import Person
from thrive.core.replica import reads_from_replica

setup_test_environment()
client = Client()
client.force_login(Associate.objects.get(username="maya"))
seen = {}
for path in ["/ecosystem/", "/people/"]:
    with CaptureQueriesContext(connections["default"]) as primary, \
         CaptureQueriesContext(connections["replica"]) as replica:
        status = client.get(path).status_code
    seen[path] = {"status": status, "primary": [q["sql"] for q in primary],
                  "replica": [q["sql"] for q in replica]}

@reads_from_replica
def locked_count():
    with transaction.atomic():
        return Person.objects.select_for_update().filter(pk__gt=0).count()

with CaptureQueriesContext(connections["replica"]) as replica:
    locked_count()
seen["locked"] = len(replica)
print(json.dumps(seen))
"""


@pytest.mark.django_db(transaction=True)
def test_figure_pages_read_from_the_replica_and_the_rest_from_the_primary(tmp_path):
    AssociateFactory(username="maya")
    PersonFactory.create_batch(3)
    url = database_url(tmp_path)
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", SCRIPT], cwd=REPO, capture_output=True, text=True, timeout=120,
        env=clean_env(DATABASE_URL=url, DATABASE_REPLICA_URL=url,
                      DJANGO_SETTINGS_MODULE="thrive.settings", DEBUG="1"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])

    ecosystem = seen["/ecosystem/"]
    assert ecosystem["status"] == 200
    assert any("contacts_person" in sql for sql in ecosystem["replica"])
    # The primary only answered who is signed in: the session and the associate.
    assert ecosystem["primary"]
    assert not any("contacts_person" in sql for sql in ecosystem["primary"])

    people = seen["/people/"]  # a working list, not a figure page: all on the primary
    assert people["status"] == 200
    assert people["replica"] == []
    assert any("contacts_person" in sql for sql in people["primary"])

    assert seen["locked"] == 0  # a lock inside a transaction never goes to a standby


def test_without_a_replica_every_read_stays_on_the_primary(settings, db):
    router = ReplicaRouter()
    assert "replica" not in settings.DATABASES
    assert reads_from_replica(lambda: router.db_for_read(object))() is None
    with transaction.atomic():
        assert router.db_for_write(object) == "default"
