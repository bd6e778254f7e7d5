from tyk.decorators import *
from gateway import TykGateway as tyk
import json, re, time, hashlib, base64, hmac

@Hook
def AddFoo(request, session, metadata, spec):
    request.add_header('Foo', 'Bar')
    v = tyk.get_data('x')
    request.add_header('X-Data', v + '|' + v.decode('utf-8') + '|' + hashlib.sha256(b'a').hexdigest()[:8])
    tyk.log('hello from python', 'info')
    return request, session, metadata
