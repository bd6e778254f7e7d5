# A pre hook that rewrites the request (path prefix /v2, a query parameter, headers) and a
# response hook that adds a header to what the upstream answered.
from tyk.decorators import *
from gateway import TykGateway as tyk


@Hook
def Rewrite(request, session, spec):
    request.object.url = '/v2' + request.object.url
    request.add_param('rewritten', 'true')
    request.delete_param('debug')
    request.add_header('X-Rewritten-By', 'polygate')
    request.delete_header('X-Internal')
    return request, session


@Hook
def AddServedBy(request, response, session, metadata, spec):
    response.headers['X-Served-By'] = 'polygate-plugin'
    response.headers['X-Upstream-Status'] = str(response.status_code)
    return response
