"""What members write in a group (title, body, report and moderation reasons) is sealed under
the group's key: the database rows hold no plaintext, the pages read it as before."""

import shutil

import pytest
from django.db import connection

from carnet.community import services as community
from carnet.community.models import ModerationAct, Post, Thread, reseal_all
from carnet.vault import group_keys
from carnet.vault.services import VaultError, ensure_master_key, keyring, rotate_master_key

from .community import member, pregnancy_group

TITLE = "Brûlures d'estomac au huitième mois"
BODY = "Depuis trois semaines je dors assise à cause du reflux gastrique"
REPORT = "Conseil de traitement dangereux"
HIDE = "Un médicament ne se conseille pas entre membres"


def _raw_rows() -> bytes:
    """Every row of the community tables, as the database holds them."""
    dump = []
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names() if t.startswith("community_")]
        for table in tables:
            # The names come from the database itself, quoted.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    dump.append(
                        bytes(value)
                        if isinstance(value, bytes | memoryview)
                        else str(value).encode()
                    )
    return b"\n".join(dump)


def test_a_thread_report_and_moderation_leave_no_plaintext_in_the_tables(client):
    g = pregnancy_group()
    post = community.start_thread(member(g.lea), TITLE, BODY)
    community.report(member(g.other), post.pk, REPORT)
    community.hide(g.mod, post.pk, HIDE)
    raw = _raw_rows()
    assert len(raw) > 500, "the rows were written"
    for words in (TITLE, BODY, REPORT, HIDE, "reflux gastrique", "huitième"):
        assert words.encode() not in raw
    # The services read the texts back in clear.
    view = community.read_thread(member(g.lea), post.thread_id)
    assert view.title == TITLE and view.posts[0].body == BODY
    assert [a.reason for a in community.acts_about(member(g.lea))] == [HIDE]


def test_a_sealed_text_opens_only_for_its_group_and_context():
    blob = group_keys.seal_text("grossesse", BODY, "post body")
    assert group_keys.open_text("grossesse", blob, "post body") == BODY
    with pytest.raises(VaultError):
        group_keys.open_text("diabete-type-2", blob, "post body")
    with pytest.raises(VaultError):
        group_keys.open_text("grossesse", blob, "thread title")


def test_a_master_key_rotation_reseals_the_texts(tmp_path, settings):
    ring = tmp_path / "master.key"
    shutil.copy(ensure_master_key(), ring)
    settings.MASTER_KEY_FILE = ring
    old = keyring(reload=True).current
    g = pregnancy_group()
    post = community.start_thread(member(g.lea), TITLE, BODY)
    community.hide(g.mod, post.pk, HIDE)
    rotated = rotate_master_key()  # calls reseal_all before the old master key is retired
    assert old not in keyring(reload=True).keys  # the texts no longer need it
    assert reseal_all() == 0 and rotated["master_key_id"] != old
    fresh = Post.objects.select_related("thread__group").get(pk=post.pk)
    assert group_keys.sealed_under_current(fresh.body_sealed)
    assert fresh.body == BODY and Thread.objects.get(pk=post.thread_id).title == TITLE
    assert ModerationAct.objects.get(post=post).reason == HIDE
