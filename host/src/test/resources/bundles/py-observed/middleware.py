# One pre hook and one auth_check, for the spans and the access log of ObservabilityIT.
from tyk.decorators import *


@Pre
def MarkPre(request, session, spec):
    request.add_header('X-Pre', 'yes')
    return request, session


@CustomKeyCheck
def TokenAuth(request, session, metadata, spec):
    if request.get_header('Authorization') != 'letmein':
        request.object.return_overrides.response_code = 403
        request.object.return_overrides.response_error = 'Access denied by plugin'
        return request, session, metadata
    session.rate = 1000
    session.per = 1
    metadata['token'] = 'tok-ada'
    return request, session, metadata
