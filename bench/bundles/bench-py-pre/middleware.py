# The auth plugin of the peers' nginx+njs row, as a Python pre hook run on every request: look
# header Key up in a table; unknown -> 401, known -> X-User header upstream (bench/nginx/auth.js).
from tyk.decorators import *

KEYS = {"k1": "alice", "k2": "bob", "k3": "carol"}


@Hook
def BenchPre(request, session, spec):
    user = KEYS.get(request.get_header("Key") or "")
    if user is None:
        request.object.return_overrides.response_code = 401
        request.object.return_overrides.response_error = "unknown key"
        return request, session
    request.add_header("X-User", user)
    return request, session
