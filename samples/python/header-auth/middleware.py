# Header-based auth against stored data: `X-Api-Token: <token>` is valid when the store holds
# `user:<token>` (tyk.store_data("user:t1", '{"name": "ada", "rate": 5, "per": 60}')).
# A bad token ends the request with 403 through return_overrides; a good one gets the user's
# limit, and post_key_auth passes the user's name upstream in `X-User`.
from tyk.decorators import *
from gateway import TykGateway as tyk
import json


@Hook
def HeaderAuth(request, session, metadata, spec):
    token = request.get_header('X-Api-Token')
    stored = tyk.get_data('user:' + token) if token else ''
    if not stored:
        request.object.return_overrides.response_code = 403
        request.object.return_overrides.response_error = 'unknown or missing X-Api-Token'
        return request, session, metadata
    user = json.loads(stored.decode('utf-8'))
    session.rate = user.get('rate', 10)
    session.per = user.get('per', 60)
    session.metadata['user'] = user['name']
    metadata['token'] = token
    tyk.log('authenticated ' + user['name'], 'info')
    return request, session, metadata


@Hook
def AddUserHeader(request, session, metadata, spec):
    request.add_header('X-User', session.metadata.get('user', 'unknown'))
    return request, session, metadata
