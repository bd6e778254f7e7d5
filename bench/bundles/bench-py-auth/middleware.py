# auth_check with a cached session: the id_extractor (manifest) reads header Key, so this hook
# runs once per key; later requests with that key use the session it built (for an hour).
# Unknown key -> no token -> 403.
from tyk.decorators import *
import time

KEYS = {"k1": "alice", "k2": "bob", "k3": "carol"}


@Hook
def BenchAuth(request, session, metadata, spec):
    key = request.get_header("Key") or ""
    user = KEYS.get(key)
    if user is not None:
        session.rate = 1000000
        session.per = 1
        session.id_extractor_deadline = int(time.time()) + 3600
        session.metadata["user"] = user
        metadata["token"] = key
    return request, session, metadata
