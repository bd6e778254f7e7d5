from tyk.decorators import *

@Hook
def Hello(request, session, spec)
    return request, session
