from tyk.decorators import *
from gateway import TykGateway as tyk
import time


@Hook
def BenchAuth(request, session, metadata, spec):
    key = request.get_header('Key')
    if key:
        session.rate = 1000000
        session.per = 1
        session.id_extractor_deadline = int(time.time()) + 3600
        metadata['token'] = key
    return request, session, metadata
