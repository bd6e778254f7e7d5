# Polygate's stand-in for Tyk's `tyk` package: plugins import `tyk.decorators`.
