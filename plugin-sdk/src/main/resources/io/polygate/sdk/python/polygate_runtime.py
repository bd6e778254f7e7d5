"""Polygate's Python side of a hook call: builds Tyk's object model (request, session, metadata,
spec, response) from the JSON state the gateway passes in, calls the hook, and returns the state
after the hook as JSON. Only strings cross the boundary between gateway and plugin.
"""
import base64
import json
import sys

_hooks = {}

# Modules a plugin may not import: the sandbox already denies sockets, processes and native code,
# this makes the refusal immediate and clear.
_BLOCKED = frozenset(['socket', '_socket', 'ssl', '_ssl', 'subprocess', '_posixsubprocess',
                      'ctypes', '_ctypes', 'multiprocessing', '_multiprocessing', 'select',
                      'selectors', 'asyncio'])


class _Blocker(object):
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name.split('.')[0] in _BLOCKED:
            raise ImportError("polygate sandbox: module '%s' is not available to plugins" % name, name=name)
        return None

    @staticmethod
    def find_module(name, path=None):
        _Blocker.find_spec(name)
        return None


def _harden():
    sys.meta_path.insert(0, _Blocker)
    for name in list(sys.modules):
        if name.split('.')[0] in _BLOCKED and name != 'polygate_runtime':
            try:
                del sys.modules[name]
            except KeyError:
                pass
    import os

    def refused(what):
        def f(*args, **kwargs):
            raise PermissionError("polygate sandbox: os.%s is not allowed" % what)
        return f
    # the sandbox refuses thread creation, but Thread.start() would then wait forever for the
    # thread to report in: refuse at once instead
    import _thread
    import threading

    def no_threads(*args, **kwargs):
        raise RuntimeError("polygate sandbox: plugins may not start threads")
    for mod, attr in ((_thread, 'start_new_thread'), (_thread, 'start_new'), (_thread, 'start_joinable_thread'),
                      (threading, '_start_new_thread'), (threading, '_start_joinable_thread')):
        if hasattr(mod, attr):
            setattr(mod, attr, no_threads)
    threading.Thread.start = lambda self: no_threads()
    for what in ('system', 'popen', 'fork', 'forkpty', 'execv', 'execve', 'execl', 'execle', 'execlp',
                 'execlpe', 'execvp', 'execvpe', 'spawnl', 'spawnle', 'spawnlp', 'spawnlpe', 'spawnv',
                 'spawnve', 'spawnvp', 'spawnvpe', 'posix_spawn', 'posix_spawnp', 'kill', 'killpg'):
        if hasattr(os, what):
            setattr(os, what, refused(what))


def _canonical(name):
    return '-'.join(p[:1].upper() + p[1:].lower() for p in str(name).split('-'))


class ReturnOverrides(object):
    def __init__(self, d=None):
        d = d or {}
        self.response_code = int(d.get('response_code', 0) or 0)
        self.response_error = d.get('response_error', '') or ''
        self.response_body = d.get('response_body', '') or ''
        self.headers = dict(d.get('headers') or {})
        self.override_error = bool(d.get('override_error', False))

    def _dump(self):
        return {'response_code': int(self.response_code or 0), 'response_error': _s(self.response_error),
                'response_body': _s(self.response_body),
                'headers': dict((str(k), _s(v)) for k, v in (self.headers or {}).items()),
                'override_error': bool(self.override_error)}


def _s(v):
    if v is None:
        return ''
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode('utf-8', 'replace')
    return str(v)


class MiniRequestObject(object):
    """request.object: what Tyk's coprocess MiniRequestObject holds."""

    def __init__(self, d):
        self.headers = dict(d.get('headers') or {})
        self.set_headers = {}
        self.delete_headers = []
        raw = base64.b64decode(d.get('raw_body') or '')
        self.raw_body = raw
        self.body = raw.decode('utf-8', 'replace')
        self.url = d.get('url', '/')
        self.method = d.get('method', 'GET')
        self.params = dict(d.get('params') or {})
        self.add_params = {}
        self.delete_params = []
        self.return_overrides = ReturnOverrides()
        self.request_uri = d.get('request_uri', self.url)
        self.scheme = d.get('scheme', 'http')
        self.client_ip = d.get('client_ip', '')
        self._orig_body = self.body
        self._orig_raw = raw

    def _dump(self):
        body_changed = None
        if isinstance(self.raw_body, (bytes, bytearray)) and bytes(self.raw_body) != self._orig_raw:
            body_changed = base64.b64encode(bytes(self.raw_body)).decode('ascii')
        elif _s(self.body) != self._orig_body:
            body_changed = base64.b64encode(_s(self.body).encode('utf-8')).decode('ascii')
        out = {'headers': dict((str(k), _s(v)) for k, v in self.headers.items()),
               'set_headers': dict((str(k), _s(v)) for k, v in self.set_headers.items()),
               'delete_headers': [str(h) for h in self.delete_headers],
               'url': _s(self.url), 'method': _s(self.method),
               'params': dict((str(k), _s(v)) for k, v in self.params.items()),
               'add_params': dict((str(k), _s(v)) for k, v in self.add_params.items()),
               'delete_params': [str(p) for p in self.delete_params],
               'return_overrides': self.return_overrides._dump()}
        if body_changed is not None:
            out['raw_body'] = body_changed
        return out


class TykCoProcessRequest(object):
    """The `request` a hook gets (Tyk's TykCoProcessRequest)."""

    def __init__(self, d):
        self.object = MiniRequestObject(d)

    def get_header(self, key):
        o = self.object
        for src in (o.set_headers, o.headers):
            if key in src:
                return src[key]
        lk = str(key).lower()
        for src in (o.set_headers, o.headers):
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


_SESSION_DEFAULTS = {
    'rate': 0.0, 'per': 0.0, 'allowance': 0.0, 'quota_max': -1, 'quota_renews': 0, 'quota_remaining': 0,
    'quota_renewal_rate': 0, 'expires': 0, 'access_rights': {}, 'org_id': '', 'oauth_client_id': '',
    'is_inactive': False, 'apply_policy_id': '', 'apply_policies': [], 'data_expires': 0, 'tags': [],
    'alias': '', 'last_updated': 0, 'id_extractor_deadline': 0, 'session_lifetime': 0,
    'throttle_interval': 0, 'throttle_retry_limit': 0, 'max_query_depth': 0, 'hmac_enabled': False,
    'hmac_string': '', 'enable_detail_recording': False,
}


class SessionState(object):
    """The `session`: the key's session fields as attributes; `metadata` (Tyk's protobuf name)
    and `meta_data` (its JSON name) are the same dict."""

    def __init__(self, d=None):
        d = dict(d or {})
        meta = d.pop('meta_data', None)
        if meta is None:
            meta = d.pop('metadata', None)
        for k, v in _SESSION_DEFAULTS.items():
            object.__setattr__(self, k, d.pop(k, v if not isinstance(v, (dict, list)) else type(v)()))
        for k, v in d.items():
            object.__setattr__(self, k, v)
        object.__setattr__(self, 'metadata', dict(meta or {}))

    def __setattr__(self, name, value):
        if name == 'meta_data':
            name = 'metadata'
        object.__setattr__(self, name, value)

    def __getattr__(self, name):
        if name == 'meta_data':
            return self.metadata
        raise AttributeError(name)

    def _dump(self):
        out = {}
        for k, v in self.__dict__.items():
            if k == 'metadata':
                out['meta_data'] = dict(v or {})
            else:
                out[k] = v
        return out


class Spec(dict):
    """The `spec`: a dict (spec['APIID'], spec['OrgID'], spec['config_data']) that also allows
    attribute access."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name)


class ResponseObject(object):
    """The `response` of a response hook."""

    def __init__(self, d):
        self.status_code = int(d.get('status_code', 200))
        self.headers = dict(d.get('headers') or {})
        raw = base64.b64decode(d.get('raw_body') or '')
        self.raw_body = raw
        self.body = raw.decode('utf-8', 'replace')
        self._orig_body = self.body
        self._orig_raw = raw

    def _dump(self):
        out = {'status_code': int(self.status_code),
               'headers': dict((str(k), _s(v)) for k, v in self.headers.items())}
        if isinstance(self.raw_body, (bytes, bytearray)) and bytes(self.raw_body) != self._orig_raw:
            out['raw_body'] = base64.b64encode(bytes(self.raw_body)).decode('ascii')
        elif _s(self.body) != self._orig_body:
            out['raw_body'] = base64.b64encode(_s(self.body).encode('utf-8')).decode('ascii')
        return out


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


def _resolve(names_json):
    """Finds each hook in the plugin's namespace; returns (as JSON) the names that are missing or
    not callable."""
    names = json.loads(names_json)
    main = sys.modules['__main__'].__dict__
    missing = []
    for name in names:
        fn = main.get(name)
        if fn is None or not callable(fn):
            missing.append(name)
        else:
            _hooks[name] = fn
    return json.dumps(missing)


def _syspath(entries_json):
    sys.path[0:0] = list(json.loads(entries_json))


def _dispatch(kind, name, state_json):
    st = json.loads(state_json)
    fn = _hooks[name]
    request = TykCoProcessRequest(st.get('request') or {})
    session = SessionState(st.get('session'))
    metadata = dict(st.get('metadata') or {})
    spec = Spec(st.get('spec') or {})
    response = None
    if kind == 'response':
        response = ResponseObject(st.get('response') or {})
        out = fn(request, response, session, metadata, spec)
        if isinstance(out, tuple):
            out = next((o for o in out if isinstance(o, ResponseObject)), None)
        if isinstance(out, ResponseObject):
            response = out
    else:
        if kind == 'auth_check' or _argcount(fn) >= 4:
            out = fn(request, session, metadata, spec)
        else:
            out = fn(request, session, spec)
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
    result = {'request': request.object._dump(), 'session': session._dump(),
              'metadata': dict((str(k), v) for k, v in metadata.items())}
    if response is not None:
        result['response'] = response._dump()
    return json.dumps(result, default=str)
