from tyk.decorators import *


@Hook
def BenchPre(request, session, spec):
    request.add_header('X-Bench', 'py-' + (request.get_header('Host') or ''))
    return request, session
