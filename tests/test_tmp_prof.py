import uuid, time, cProfile, pstats
import pytest
from community import live as community_live
from tests.support.factories import MembershipFactory, ThreadFactory, PostFactory

@pytest.mark.django_db(transaction=True)
def test_prof(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "post": (10**9, 60)}
    thread = ThreadFactory()
    m = MembershipFactory(community=thread.community)
    PostFactory(thread=thread, author=m.user, number=1)
    body = "Un messaggio di prova con **Markdown** e un [link](https://example.org) #%d"
    for i in range(20):
        community_live._post_group([(m.user, "en", thread.pk, body % i, uuid.uuid4())])
    t = time.process_time()
    for i in range(300):
        community_live._post_group([(m.user, "en", thread.pk, body % i, uuid.uuid4())])
    print("\nms per post", (time.process_time() - t) / 300 * 1000)
    import os
    if os.environ.get("LONG"):
        for i in range(3000):
            community_live._post_group([(m.user, "en", thread.pk, body % i, uuid.uuid4())])
    pr = cProfile.Profile(); pr.enable()
    for i in range(300):
        community_live._post_group([(m.user, "en", thread.pk, body % i, uuid.uuid4())])
    pr.disable()
    pstats.Stats(pr).sort_stats("cumulative").print_stats(45)
