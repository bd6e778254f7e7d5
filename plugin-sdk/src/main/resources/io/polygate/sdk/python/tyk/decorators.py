"""Tyk-compatible hook decorators.

In Polygate the bundle's manifest decides which kind of hook a function is (pre, auth_check,
post_key_auth, post, response); the decorator only marks the function. The decorated function
stays a plain function, so plugins may also call it directly (in their own tests, say).
"""

__all__ = ['Hook', 'Pre', 'Post', 'PostKeyAuth', 'CustomKeyCheck', 'Event', 'HandlerDecorator']


class HandlerDecorator(object):
    """Base of the legacy class-style decorators: `@Pre` etc. mark the function and return it."""
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
