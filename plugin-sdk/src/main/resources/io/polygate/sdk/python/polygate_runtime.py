"""Polygate's Python side of a hook call, and the modules plugins import (`tyk.decorators`,
`gateway`).

The gateway evaluates this file once per context from one cached Source, so every context of
every bundle shares its compiled code; it then calls __polygate_runtime once: it returns (resolve, caller, warm). Everything lives
inside that function: names resolve through closures, not through the plugin's namespace
(__main__), which plugins fill as they like.

A hook call gets thin objects over the gateway's HookCall (host side): they read lazily (a hook
that reads one header crosses one header), and when the hook returns, what it changed is reported
back to the HookCall. Nothing else crosses.
"""


def __polygate_runtime(host, import_path):
    # Imports cost a fresh context seconds of its start-up (a bundle goes live only after it):
    # binascii, not base64; _json (the json module's Java-backed scanner and encoder), not json,
    # which imports re and compiles its patterns (about 4 s of one core in a fresh gateway).
    import _json
    import binascii
    import sys
    import types

    # ------------------------------------------------------------------ sandbox hardening
    # The sandbox already denies sockets, processes and native code; this makes the refusal
    # immediate and clear.
    blocked = frozenset(['socket', '_socket', 'ssl', '_ssl', 'subprocess', '_posixsubprocess',
                         'ctypes', '_ctypes', 'multiprocessing', '_multiprocessing', 'select',
                         'selectors', 'asyncio'])

    class _Blocker(object):
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name.split('.')[0] in blocked:
                raise ImportError("polygate sandbox: module '%s' is not available to plugins" % name, name=name)
            return None

        @staticmethod
        def find_module(name, path=None):
            _Blocker.find_spec(name)
            return None

    def harden():
        sys.meta_path.insert(0, _Blocker)
        for name in list(sys.modules):
            if name.split('.')[0] in blocked:
                sys.modules.pop(name, None)
        import os
        import _thread

        def refused(what):
            def f(*args, **kwargs):
                raise PermissionError("polygate sandbox: os.%s is not allowed" % what)
            return f

        # The sandbox refuses thread creation, but Thread.start() would then wait forever for
        # the thread to report in: refuse at once instead. threading takes _thread's functions
        # when it is imported, so patching _thread covers a later import (importing threading
        # here would cost a fresh context over a second); patch it too when already imported.
        def no_threads(*args, **kwargs):
            raise RuntimeError("polygate sandbox: plugins may not start threads")
        for attr in ('start_new_thread', 'start_new', 'start_joinable_thread'):
            if hasattr(_thread, attr):
                setattr(_thread, attr, no_threads)
        threading = sys.modules.get('threading')
        if threading is not None:
            for attr in ('_start_new_thread', '_start_joinable_thread'):
                if hasattr(threading, attr):
                    setattr(threading, attr, no_threads)
            threading.Thread.start = lambda self: no_threads()
        for what in ('system', 'popen', 'fork', 'forkpty', 'execv', 'execve', 'execl', 'execle', 'execlp',
                     'execlpe', 'execvp', 'execvpe', 'spawnl', 'spawnle', 'spawnlp', 'spawnlpe', 'spawnv',
                     'spawnve', 'spawnvp', 'spawnvpe', 'posix_spawn', 'posix_spawnp', 'kill', 'killpg'):
            if hasattr(os, what):
                setattr(os, what, refused(what))

    # ------------------------------------------------------------------ helpers
    class _ScanContext(object):
        """What _json's scanner reads from json.JSONDecoder: json.loads' defaults."""
        strict = True
        object_hook = object_pairs_hook = None
        parse_float = float
        parse_int = int
        parse_constant = staticmethod({'-Infinity': float('-inf'), 'Infinity': float('inf'), 'NaN': float('nan')}.__getitem__)
        memo = {}

    _scan = _json.make_scanner(_ScanContext())

    def _loads(text):
        """json.loads of a JSON text the gateway wrote (no surrounding whitespace)."""
        return _scan(text, 0)[0]

    def _not_serializable(o):
        raise TypeError("Object of type %s is not JSON serializable" % type(o).__name__)

    def _dumps(obj, default=_not_serializable):
        """_dumps(obj, default=default), compact."""
        encode = _json.make_encoder({}, default, _json.encode_basestring_ascii, None, ':', ',', False, False, True)
        return ''.join(encode(obj, 0))

    def _s(v):
        if v is None:
            return ''
        if isinstance(v, (bytes, bytearray)):
            return bytes(v).decode('utf-8', 'replace')
        return str(v)

    def _strmap(m):
        return dict((str(k), _s(v)) for k, v in (m or {}).items())

    canonical_names = {}

    def _canonical(name):
        c = canonical_names.get(name)
        if c is None:
            c = '-'.join(p[:1].upper() + p[1:].lower() for p in str(name).split('-'))
            if len(canonical_names) < 1024:
                canonical_names[name] = c
        return c

    # ------------------------------------------------------------------ request
    class ReturnOverrides(object):
        def __init__(self):
            self.response_code = 0
            self.response_error = ''
            self.response_body = ''
            self.headers = {}
            self.override_error = False

    # request.object's fields are properties read from the HookCall on first use: `_<field>` holds
    # the value (None: not read yet, a class default, so an untouched field costs one lookup) and
    # `_orig_<field>` what was read, to tell what the hook changed. No __dict__ or __getattr__ on
    # the per-call path: both take slow paths in GraalPy.
    def _lazy(field, load, keep_original=True):
        slot = '_' + field
        orig = '_orig_' + field

        def get(self):
            v = getattr(self, slot)
            if v is None:
                v = load(self._call)
                if keep_original:
                    setattr(self, orig, v)
                    v = _copy(v)
                setattr(self, slot, v)
            return v

        def set_(self, value):
            setattr(self, slot, value)
        return property(get, set_)

    def _copy(v):
        return dict(v) if isinstance(v, dict) else v

    class MiniRequestObject(object):
        """request.object: what Tyk's coprocess MiniRequestObject holds, read on first use."""
        _headers = _set_headers = _delete_headers = _body = _raw_body = _url = _method = None
        _params = _add_params = _delete_params = _return_overrides = None
        _request_uri = _scheme = _client_ip = None
        _orig_headers = _orig_body = _orig_raw_body = _orig_url = _orig_method = _orig_params = None

        def __init__(self, call):
            self._call = call

        headers = _lazy('headers', lambda c: _loads(c.headers_json()))
        set_headers = _lazy('set_headers', lambda c: {}, False)
        delete_headers = _lazy('delete_headers', lambda c: [], False)
        body = _lazy('body', lambda c: c.body_text())
        raw_body = _lazy('raw_body', lambda c: binascii.a2b_base64(c.body_b64()))
        url = _lazy('url', lambda c: c.url())
        method = _lazy('method', lambda c: c.method())
        params = _lazy('params', lambda c: _loads(c.params_json()))
        add_params = _lazy('add_params', lambda c: {}, False)
        delete_params = _lazy('delete_params', lambda c: [], False)
        return_overrides = _lazy('return_overrides', lambda c: ReturnOverrides(), False)
        request_uri = _lazy('request_uri', lambda c: c.request_uri(), False)
        scheme = _lazy('scheme', lambda c: c.scheme(), False)
        client_ip = _lazy('client_ip', lambda c: c.client_ip(), False)

    request_fields = ('headers', 'set_headers', 'delete_headers', 'body', 'raw_body', 'url', 'method', 'params',
                      'add_params', 'delete_params', 'return_overrides', 'request_uri', 'scheme', 'client_ip')

    def _commit_request(o, call):
        if o._headers is not None and o._orig_headers != o._headers:
            call.replace_headers(_dumps(_strmap(o._headers)))
        if o._delete_headers:
            for h in o._delete_headers:
                call.delete_header(str(h))
        if o._set_headers:
            for k, v in o._set_headers.items():
                call.set_header(str(k), _s(v))
        if o._url is not None and _s(o._url) != o._orig_url:
            call.set_url(_s(o._url))
        if o._method is not None and _s(o._method) != o._orig_method:
            call.set_method(_s(o._method))
        if o._params is not None and o._orig_params != o._params:
            call.replace_params(_dumps(_strmap(o._params)))
        if o._add_params:
            for k, v in o._add_params.items():
                call.add_param(str(k), _s(v))
        if o._delete_params:
            for p in o._delete_params:
                call.delete_param(str(p))
        raw = o._raw_body
        if isinstance(raw, (bytes, bytearray)) and bytes(raw) != o._orig_raw_body:
            call.set_body_b64(binascii.b2a_base64(bytes(raw), newline=False).decode('ascii'))
        elif o._body is not None and _s(o._body) != o._orig_body:
            call.set_body_text(_s(o._body))
        ro = o._return_overrides
        if ro is not None:
            code = int(ro.response_code or 0)
            if code:
                headers = getattr(ro, 'headers', None)
                call.override(code, _s(ro.response_error), _s(ro.response_body),
                              _dumps(_strmap(headers)) if headers else None)

    class TykCoProcessRequest(object):
        """The `request` a hook gets (Tyk's TykCoProcessRequest)."""

        def __init__(self, call):
            self._call = call
            self.object = MiniRequestObject(call)

        def get_header(self, key):
            o = self.object
            sh = o._set_headers
            if sh and key in sh:
                return sh[key]
            h = o._headers
            if h is None:
                v = self._call.header(key if isinstance(key, str) else str(key))
                if v is not None or not sh:
                    return v
            elif key in h:
                return h[key]
            lk = str(key).lower()
            for src in (sh, h):
                if src:
                    for k, v in src.items():
                        if k.lower() == lk:
                            return v
            return None

        def add_header(self, key, value):
            self.object.set_headers[_canonical(key)] = _s(value)

        def delete_header(self, key):
            self.object.delete_headers.append(str(key))

        def add_param(self, key, value):
            self.object.add_params[str(key)] = _s(value)

        def delete_param(self, key):
            self.object.delete_params.append(str(key))

    # ------------------------------------------------------------------ session
    session_defaults = {
        'rate': 0.0, 'per': 0.0, 'allowance': 0.0, 'quota_max': -1, 'quota_renews': 0, 'quota_remaining': 0,
        'quota_renewal_rate': 0, 'expires': 0, 'access_rights': {}, 'org_id': '', 'oauth_client_id': '',
        'is_inactive': False, 'apply_policy_id': '', 'apply_policies': [], 'data_expires': 0, 'tags': [],
        'alias': '', 'last_updated': 0, 'id_extractor_deadline': 0, 'session_lifetime': 0,
        'throttle_interval': 0, 'throttle_retry_limit': 0, 'max_query_depth': 0, 'hmac_enabled': False,
        'hmac_string': '', 'enable_detail_recording': False,
    }

    def _fill_session(dd, d):
        d = dict(d or {})
        meta = d.pop('meta_data', None)
        if meta is None:
            meta = d.pop('metadata', None)
        for k, v in session_defaults.items():
            dd[k] = d.pop(k, v if not isinstance(v, (dict, list)) else type(v)())
        dd.update(d)
        dd['metadata'] = dict(meta or {})

    class SessionState(object):
        """The `session`: the key's session fields as attributes, read from the gateway on first
        use; `metadata` (Tyk's protobuf name) and `meta_data` (its JSON name) are the same dict."""
        _pg_call = None

        def __init__(self, d=None, call=None):
            if call is not None:
                object.__setattr__(self, '_pg_call', call)
            else:
                _fill_session(self.__dict__, d)

        def _pg_load(self):
            call = self._pg_call
            if call is not None:
                object.__setattr__(self, '_pg_call', None)
                js = call.session_json()
                _fill_session(self.__dict__, _loads(js) if js is not None else None)

        def __getattr__(self, name):
            if name.startswith('__') or self._pg_call is None:
                if name == 'meta_data':
                    return self.metadata
                raise AttributeError(name)
            self._pg_load()
            return getattr(self, name)

        def __setattr__(self, name, value):
            self._pg_load()
            object.__setattr__(self, 'metadata' if name == 'meta_data' else name, value)

        def _dump(self):
            self._pg_load()
            out = {}
            for k, v in self.__dict__.items():
                if k == 'metadata':
                    out['meta_data'] = dict(v or {})
                elif k != '_pg_call':
                    out[k] = v
            return out

    def _touched(session):
        return session._pg_call is None

    # ------------------------------------------------------------------ spec, metadata
    class Spec(dict):
        """The `spec`: a dict (spec['APIID'], spec['OrgID'], spec['config_data']) that also allows
        attribute access."""

        def __getattr__(self, name):
            try:
                return self[name]
            except KeyError:
                raise AttributeError(name)

    specs = {}

    def _spec(call):
        sid = call.spec_id()
        d = specs.get(sid)
        if d is None:
            if len(specs) >= 64:
                specs.clear()
            d = specs[sid] = _loads(call.spec_json())
        return Spec(d)

    def _metadata(call):
        js = call.metadata_json()
        return ({}, None) if js is None else (_loads(js), js)

    def _commit_metadata(metadata, js, call):
        if js is None and not metadata:
            return
        if js is not None and metadata == _loads(js):
            return
        call.set_metadata(_dumps(dict((str(k), v) for k, v in metadata.items()), default=str))

    # ------------------------------------------------------------------ response
    def _load_response_body(o):
        b = o._call.response_body_text()
        o.__dict__['_orig_body'] = b
        return b

    def _load_response_raw_body(o):
        raw = binascii.a2b_base64(o._call.response_body_b64())
        o.__dict__['_orig_raw'] = raw
        return raw

    response_loaders = {'body': _load_response_body, 'raw_body': _load_response_raw_body}

    class ResponseObject(object):
        """The `response` of a response hook."""

        def __init__(self, call):
            self._call = call
            self.status_code = call.response_status()
            self._orig_status = self.status_code
            self.headers = _loads(call.response_headers_json())
            self._orig_headers = dict(self.headers)

        def __getattr__(self, name):
            load = response_loaders.get(name)
            if load is None:
                raise AttributeError(name)
            v = load(self)
            self.__dict__[name] = v
            return v

    def _commit_response(r, call):
        d = r.__dict__
        if int(r.status_code) != d.get('_orig_status'):
            call.set_response_status(int(r.status_code))
        if r.headers != d.get('_orig_headers'):
            call.replace_response_headers(_dumps(_strmap(r.headers)))
        raw = d.get('raw_body')
        if isinstance(raw, (bytes, bytearray)) and bytes(raw) != d.get('_orig_raw'):
            call.set_response_body_b64(binascii.b2a_base64(bytes(raw), newline=False).decode('ascii'))
        elif 'body' in d and _s(d['body']) != d.get('_orig_body'):
            call.set_response_body_text(_s(d['body']))

    # ------------------------------------------------------------------ hooks
    hooks = {}

    def _argcount(fn):
        code = getattr(fn, '__code__', None)
        if code is not None:
            n = code.co_argcount
            if getattr(fn, '__self__', None) is not None:
                n -= 1
            return n
        try:
            import inspect
            return len(inspect.signature(fn).parameters)
        except (TypeError, ValueError):
            return 4

    def resolve(names_json):
        """Finds each hook in the plugin's namespace; returns (as JSON) the names that are
        missing or not callable."""
        main = sys.modules['__main__'].__dict__
        missing = []
        for name in _loads(names_json):
            fn = main.get(name)
            if fn is None or not callable(fn):
                missing.append(name)
            else:
                hooks[name] = fn
        return _dumps(missing)

    def caller(kind, name):
        """The function the gateway calls for one hook of the manifest: takes a HookCall."""
        fn = hooks[name]
        if kind == 'response':
            def call_response(call):
                request = TykCoProcessRequest(call)
                response = ResponseObject(call)
                metadata, _ = _metadata(call)
                out = fn(request, response, SessionState(None, call), metadata, _spec(call))
                if isinstance(out, tuple):
                    out = next((o for o in out if isinstance(o, ResponseObject)), None)
                if isinstance(out, ResponseObject):
                    response = out
                _commit_response(response, call)
            return call_response

        auth = kind == 'auth_check'
        four = auth or _argcount(fn) >= 4

        def call_request(call):
            request = TykCoProcessRequest(call)
            session = SessionState(None, call)
            if four:
                metadata, md_json = _metadata(call)
                out = fn(request, session, metadata, _spec(call))
            else:
                metadata, md_json = {}, None
                out = fn(request, session, _spec(call))
            if isinstance(out, tuple):
                for o in out:
                    if isinstance(o, TykCoProcessRequest):
                        request = o
                    elif isinstance(o, SessionState):
                        session = o
                    elif isinstance(o, dict) and not isinstance(o, Spec):
                        metadata = o
            elif isinstance(out, TykCoProcessRequest):
                request = out
            _commit_request(request.object, call)
            if auth or _touched(session):
                call.set_session(_dumps(session._dump(), default=str))
            _commit_metadata(metadata, md_json, call)
        return call_request

    def warm(call):
        """Runs the runtime's own per-call paths once on a sample call (no plugin code), so that a
        context's first real request does not pay for their first execution."""
        request = TykCoProcessRequest(call)
        request.get_header('Key')
        request.add_header('X-Polygate-Warm', '1')
        o = request.object
        for name in request_fields:
            getattr(o, name)
        o.return_overrides.response_code = 0
        session = SessionState(None, call)
        session.rate
        metadata, md_json = _metadata(call)
        _spec(call)
        _commit_request(o, call)
        call.set_session(_dumps(session._dump(), default=str))
        _commit_metadata(metadata, md_json, call)

    # ------------------------------------------------------------------ modules for plugins
    class HandlerDecorator(object):
        """Base of the legacy class-style decorators: `@Pre` etc. mark the function and return
        it. In Polygate the manifest decides a hook's kind; the decorated function stays a plain
        function, so plugins may also call it directly (in their own tests, say)."""
        kind = 'hook'

        def __new__(cls, f):
            try:
                f.__tyk_hook__ = cls.kind
            except (AttributeError, TypeError):
                pass
            return f

    class Hook(HandlerDecorator):
        kind = 'hook'

    class Pre(HandlerDecorator):
        kind = 'pre'

    class Post(HandlerDecorator):
        kind = 'post'

    class PostKeyAuth(HandlerDecorator):
        kind = 'post_key_auth'

    class CustomKeyCheck(HandlerDecorator):
        kind = 'auth_check'

    class Event(HandlerDecorator):
        kind = 'event'

    class _DataStr(str):
        """What get_data returns: a str (old plugins compare it with "" and pass it to int())
        that also has decode() (newer plugins expect bytes, as Tyk now returns)."""

        def decode(self, encoding='utf-8', errors='strict'):
            return str(self)

    # how a host IllegalArgumentException (a tyk.* call refusing an argument) reads in Python
    _ILLEGAL_ARGUMENT = 'java.lang.IllegalArgumentException: '

    class TykGateway(object):
        @staticmethod
        def log(msg, level='info'):
            host.log(_s(msg), _s(level))

        @staticmethod
        def log_error(*args):
            host.log(' '.join(_s(a) for a in args), 'error')

        @staticmethod
        def get_data(key):
            value = host.get_data(_s(key))
            return _DataStr('' if value is None else value)

        @staticmethod
        def store_data(key, value, ttl=0):
            try:
                host.store_data(_s(key), _s(value), int(ttl or 0))
            except BaseException as e:
                # the host refusing an argument (e.g. a value over the size cap): a ValueError the plugin can catch
                text = str(e)
                if type(e).__name__ == 'ForeignException' and text.startswith(_ILLEGAL_ARGUMENT):
                    raise ValueError(text[len(_ILLEGAL_ARGUMENT):]) from None
                raise

        @staticmethod
        def trigger_event(event_name, payload=''):
            host.trigger_event(_s(event_name), _s(payload))

    def module(name, members, package=False):
        m = types.ModuleType(name)
        m.__file__ = '<polygate-sdk>/' + name.replace('.', '/') + '.py'
        if package:
            m.__path__ = []
        for k, v in members.items():
            setattr(m, k, v)
        m.__all__ = [k for k in members if not k.startswith('_')]
        sys.modules[name] = m
        return m

    decorators = dict(Hook=Hook, Pre=Pre, Post=Post, PostKeyAuth=PostKeyAuth, CustomKeyCheck=CustomKeyCheck,
                      Event=Event, HandlerDecorator=HandlerDecorator)
    for cls in decorators.values():
        cls.__module__ = 'tyk.decorators'
    module('tyk', {}, package=True).decorators = module('tyk.decorators', decorators)
    TykGateway.__module__ = 'gateway'
    module('gateway', dict(TykGateway=TykGateway))

    harden()
    sys.path[0:0] = import_path.split('\n')  # the bundle's folder, then its vendor/ folder if it has one
    return resolve, caller, warm


__polygate_runtime
