# Header rules read from rules.yaml with a vendored pure-Python package (PyYAML, in vendor/):
# a bundle's vendor/ folder is on sys.path after the bundle's own folder.
import os

import yaml
from tyk.decorators import *

with open(os.path.join(os.path.dirname(__file__), "rules.yaml")) as f:
    RULES = yaml.safe_load(f)["rules"]


@Hook
def YamlRules(request, session, spec):
    path = request.object.url
    for rule in RULES:
        if path.startswith(rule["prefix"]):
            for name, value in rule.get("add_headers", {}).items():
                request.add_header(name, str(value))
            break
    return request, session
