# Per-user rate limits read from the gateway's data store (the Tyk forum question "rate limit
# per user from Redis"): a caller sends its key in the `Key` header; its limit is
# `rate:<key>` in the store (SET coprocess-data:rate:<key> 15, or tyk.store_data), 10 requests
# per 60 s when there is none. Callers without a key share a per-IP limit of 2 per 10 s.
# The gateway enforces session.rate/session.per natively; the session is cached per key until
# id_extractor_deadline, so this hook runs about once a minute per key.
from tyk.decorators import *
from gateway import TykGateway as tyk
import time

DEFAULT_RATE = 10
DEFAULT_PER = 60
ANONYMOUS_RATE = 2
ANONYMOUS_PER = 10
SESSION_CACHE_SECONDS = 60


@Hook
def PerUserRateLimit(request, session, metadata, spec):
    key = request.get_header('Key')
    if key:
        limit = tyk.get_data('rate:' + key)
        if limit == "":
            session.rate = DEFAULT_RATE
        else:
            session.rate = int(limit)
        session.per = DEFAULT_PER
        session.id_extractor_deadline = int(time.time()) + SESSION_CACHE_SECONDS
        metadata['token'] = key
    else:
        ip = request.get_header('X-Real-Ip') or request.object.client_ip
        session.rate = ANONYMOUS_RATE
        session.per = ANONYMOUS_PER
        metadata['token'] = 'ip:' + ip
    return request, session, metadata
