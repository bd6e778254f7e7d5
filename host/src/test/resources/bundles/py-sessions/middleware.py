# Request bodies, sessions and metadata the way Tyk's Python plugins use them.
from tyk.decorators import *
import json


@Pre
def BodyRewrite(request, session, spec):
    mode = request.get_header('X-Body-Mode')
    if mode == 'replace':
        request.object.body = 'New Request body'
    elif mode == 'empty':
        request.object.body = ''
    elif mode == 'long':
        request.object.body = 'x' * 70000
    elif mode == 'bytes':
        request.object.raw_body = b'\xff\x00\xfe\x80'
    return request, session


@CustomKeyCheck
def SessionAuth(request, session, metadata, spec):
    token = request.get_header('X-Sess-Token')
    if not token:
        request.object.return_overrides.response_code = 403
        request.object.return_overrides.response_error = 'no token'
        return request, session, metadata
    metadata['token'] = token
    metadata['username'] = request.get_header('X-Username') or 'user-' + token
    quota = request.get_header('X-Quota')
    if quota:
        session.quota_max = int(quota)
        session.quota_renewal_rate = 3600
    policy = request.get_header('X-Policy')
    if policy:
        session.apply_policy_id = policy
    policies = request.get_header('X-Policies')
    if policies:
        session.apply_policies = policies.split(',')
    return request, session, metadata


def _show(request, session, metadata, where):
    meta = session.metadata
    request.add_header('X-' + where + '-Username', meta.get('username', 'missing'))
    request.add_header('X-' + where + '-Profile', repr(meta.get('profile', 'missing')))
    request.add_header('X-' + where + '-Metadata', metadata.get('username', metadata.get('tier', 'missing')))


@PostKeyAuth
def ShowSession(request, session, metadata, spec):
    _show(request, session, metadata, 'Pka')
    return request, session, metadata


@Hook
def PostSession(request, session, metadata, spec):
    _show(request, session, metadata, 'Post')
    return request, session, metadata


@Hook
def ResponseBody(request, response, session, metadata, spec):
    response.headers['X-Resp-Username'] = session.metadata.get('username', session.metadata.get('tier', 'missing'))
    mode = request.get_header('X-Resp-Mode')
    if mode == 'short':
        response.body = 'ok'
    elif mode == 'empty':
        response.raw_body = b''
    return response
