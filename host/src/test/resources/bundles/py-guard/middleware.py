# Misbehaving and probing code, selected by the `Probe` header. A probe that is refused answers
# 200 with "refused: <error type>: <message>"; one that worked answers "allowed: ...".
from tyk.decorators import *
import threading  # at load, as plugins import: the SDK's refusal must hold for a threading imported after it
import time


def probe(name):
    if name == 'open':
        with open('/etc/passwd') as f:
            return f.read()[:40]
    if name == 'os-system':
        import os
        return str(os.system('id > /tmp/polygate-pwned'))
    if name == 'socket':
        import socket
        return str(socket.create_connection(('127.0.0.1', 22)))
    if name == 'subprocess':
        import subprocess
        return str(subprocess.run(['id']))
    if name == 'java':
        import java
        return str(java.type('java.lang.Runtime'))
    if name == 'polyglot':
        import polyglot
        return str(polyglot.eval(language='js', string='1+1'))
    if name == 'thread':
        t = threading.Thread(target=lambda: None)
        t.start()
        return 'thread started'
    if name == 'stdlib':
        import json, re, time, hashlib, base64, hmac
        return json.dumps([re.sub('a', 'b', 'aa'), hashlib.md5(b'x').hexdigest()[:6],
                           base64.b64encode(b'x').decode(), hmac.new(b'k', b'm', 'sha1').hexdigest()[:6],
                           time.time() > 0])
    return 'no such probe'


@Hook
def Guard(request, session, metadata, spec):
    what = request.get_header('Probe')
    if what == 'loop':
        while True:
            pass
    if what == 'sleep':
        time.sleep(float(request.get_header('Seconds') or '0.2'))
        return request, session, metadata
    if what == 'raise':
        raise ValueError('plugin bug on purpose')
    if what:
        try:
            result = 'allowed: ' + probe(what)
        except BaseException as e:
            result = 'refused: %s: %s' % (type(e).__name__, e)
        request.object.return_overrides.response_code = 200
        request.object.return_overrides.response_body = result
    return request, session, metadata
