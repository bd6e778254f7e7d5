# Written the way Tyk's public Python plugins are written: legacy and new decorators, the
# 3- and 4-argument signatures, request.object fields, return_overrides, tyk.* calls.
from tyk.decorators import *
from gateway import TykGateway as tyk
import json, re, time, hashlib, base64, hmac
import helpers


@Pre
def PreRewrite(request, session, spec):
    request.add_header('X-Pre', 'yes')
    request.delete_header('X-Remove-Me')
    request.add_param('added', '1')
    request.delete_param('drop')
    request.object.headers['X-Object-Header'] = 'set-via-object'
    request.object.set_headers['X-Set-Direct'] = 'yes'
    request.object.delete_headers.append('X-Remove-Too')
    request.add_header('X-Keep-Param', request.object.params.get('keep', 'none'))
    request.add_header('X-Org', spec['OrgID'] or 'no-org')
    cfg = json.loads(spec['config_data'])
    request.add_header('X-Api-Id', spec['APIID'] + '/' + cfg.get('greeting', ''))
    if request.object.method == 'POST' and request.object.body:
        assert request.object.raw_body == request.object.body.encode('utf-8')
        payload = json.loads(request.object.body)
        payload['seen_by'] = 'pre'
        request.object.body = json.dumps(payload)
    if request.get_header('X-Short-Circuit'):
        request.object.return_overrides.response_code = 418
        request.object.return_overrides.response_body = '{"teapot": true}'
        request.object.return_overrides.headers = {'X-Teapot': 'short'}
    return request, session


@CustomKeyCheck
def MyAuthMiddleware(request, session, metadata, spec):
    auth = request.get_header('Authorization')
    if auth == 'boom':
        raise RuntimeError('auth plugin bug on purpose')
    if auth != 'letmein':
        tyk.log_error('auth failed for', str(auth))
        request.object.return_overrides.response_code = 403
        request.object.return_overrides.response_error = 'Access denied by plugin'
        return request, session, metadata
    old = tyk.get_data('visits')
    count = 0 if old == "" else int(old.decode('utf-8'))
    tyk.store_data('visits', str(count + 1), 60)
    tyk.trigger_event('AuthOK', json.dumps({'count': count + 1}))
    tyk.log('auth ok, visit ' + str(count + 1), 'info')
    session.rate = 1000
    session.per = 1
    session.metadata['user'] = 'ada'
    session.metadata['digest'] = helpers.digest(auth)
    signature = hmac.new(b'k', b'letmein', hashlib.sha256).hexdigest()[:8]
    metadata['token'] = 'tok-' + signature
    metadata['visits'] = str(count + 1)
    return request, session, metadata


@PostKeyAuth
def PostKeyAuthUser(request, session, spec):
    request.add_header('X-User', session.metadata['user'])
    request.add_header('X-Digest', session.metadata['digest'])
    return request, session


@Hook
def MyPostMiddleware(request, session, metadata, spec):
    request.add_header('Foo', 'Bar')
    request.add_header('X-Visits', metadata.get('visits', '?'))
    request.add_header('X-B64', base64.b64encode(b'hi').decode('ascii'))
    if re.match(r'^tok-', metadata['token']):
        request.add_header('X-Token-Ok', 'true')
    return request, session, metadata


@Hook
def MyResponseMiddleware(request, response, session, metadata, spec):
    response.headers['X-Response-Hook'] = 'status-' + str(response.status_code)
    body = json.loads(response.body)
    body['response_hook'] = True
    response.raw_body = json.dumps(body).encode('utf-8')
    return response
