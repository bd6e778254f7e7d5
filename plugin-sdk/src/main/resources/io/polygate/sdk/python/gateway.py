"""Tyk's `gateway` module: `from gateway import TykGateway as tyk`.

The functions reach the gateway through a host object that Polygate installs when it builds the
plugin's context; plugins never see that object.
"""

__all__ = ['TykGateway']

_host = None


class _DataStr(str):
    """What get_data returns: a str (old plugins compare it with "" and pass it to int()) that
    also has decode() (newer plugins expect bytes, as Tyk now returns)."""

    def decode(self, encoding='utf-8', errors='strict'):
        return str(self)


def _text(value):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode('utf-8', 'replace')
    return str(value)


class TykGateway(object):
    @staticmethod
    def log(msg, level='info'):
        _host.log(_text(msg), _text(level))

    @staticmethod
    def log_error(*args):
        _host.log(' '.join(_text(a) for a in args), 'error')

    @staticmethod
    def get_data(key):
        value = _host.get_data(_text(key))
        return _DataStr('' if value is None else value)

    @staticmethod
    def store_data(key, value, ttl=0):
        _host.store_data(_text(key), _text(value), int(ttl or 0))

    @staticmethod
    def trigger_event(event_name, payload=''):
        _host.trigger_event(_text(event_name), _text(payload))


def _install(host):
    global _host
    _host = host
