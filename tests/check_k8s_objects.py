#!/usr/bin/python3
"""Validates Kubernetes manifests against the object models of the official
Python client (Debian: python3-kubernetes), without a cluster.

    /usr/bin/python3 tests/check_k8s_objects.py FILE... ('-' reads stdin)

Each object is walked with its model's openapi_types and attribute_map:
unknown fields, wrong types and missing required fields are reported with
their path, e.g.

    StatefulSet replay: spec.template.spec.containers[0].imagePullPolcy: unknown field

Exit status: 0 all objects valid, 1 problems found, 2 bad usage or input,
3 the kubernetes module is missing.

Stricter than an API server in one respect: where a model says str, a YAML
number is rejected (quote quantities such as cpu: "2"), as the Python models
cannot tell Quantity fields from plain strings.
"""

import datetime
import re
import sys

try:
    import yaml
    from kubernetes import client
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"check_k8s_objects: {e}: install python3-kubernetes (run scripts/setup) "
          "and run this with /usr/bin/python3", file=sys.stderr)
    sys.exit(3)

PRIMITIVES = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "date": (str, datetime.date),
    "datetime": (str, datetime.datetime),
}


def api_group_prefix(api_version):
    """'apps/v1' -> ('apps', 'v1'); 'v1' -> ('core', 'v1');
    'networking.k8s.io/v1' -> ('networking', 'v1')."""
    if "/" not in api_version:
        return "core", api_version
    group, version = api_version.split("/", 1)
    return group.replace(".k8s.io", "").replace(".", ""), version


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def model_for(api_version, kind):
    """The client's model class for (apiVersion, kind), or an error string.

    The class name gives the version and kind only (V1Deployment); the group
    is checked against the API classes, whose names carry it (AppsV1Api has
    read_namespaced_deployment, CoreV1Api does not)."""
    group, version = api_group_prefix(api_version)
    cls = getattr(client, version.capitalize() + kind, None)
    if cls is None or not hasattr(cls, "openapi_types"):
        return None, f"unknown kind {kind} in {api_version}"
    api_name = "".join(part.capitalize() for part in re.split(r"[^a-z0-9]", group))
    api = getattr(client, api_name + version.capitalize() + "Api", None)
    if api is None:
        return None, f"unknown apiVersion {api_version}"
    s = snake(kind)
    if not (hasattr(api, "read_namespaced_" + s) or hasattr(api, "read_" + s)):
        return None, f"kind {kind} does not belong to apiVersion {api_version}"
    return cls, None


def type_name(value):
    return "null" if value is None else type(value).__name__


class Checker:
    def __init__(self):
        self.errors = []

    def error(self, path, message):
        self.errors.append(f"{path}: {message}" if path else message)

    def check(self, value, type_str, path):
        if value is None:
            return  # absent; a required field is caught when its model is built
        if type_str == "object":
            return  # IntOrString, RawExtension and other free-form values
        if type_str.startswith("list["):
            if not isinstance(value, list):
                self.error(path, f"expected a list, got {type_name(value)}")
                return
            for i, item in enumerate(value):
                self.check(item, type_str[5:-1], f"{path}[{i}]")
            return
        if type_str.startswith("dict("):
            if not isinstance(value, dict):
                self.error(path, f"expected a mapping, got {type_name(value)}")
                return
            inner = re.match(r"dict\(([^,]*), (.*)\)$", type_str).group(2)
            for key, item in value.items():
                if not isinstance(key, str):
                    self.error(path, f"key {key!r} is not a string")
                self.check(item, inner, f"{path}.{key}")
            return
        if type_str in PRIMITIVES:
            ok = isinstance(value, PRIMITIVES[type_str])
            if type_str in ("int", "float") and isinstance(value, bool):
                ok = False
            if not ok:
                self.error(path, f"expected {type_str}, got {type_name(value)} {value!r}")
            return
        cls = getattr(client, type_str, None)
        if cls is None:
            self.error(path, f"no model {type_str} in the kubernetes client")
            return
        self.check_model(value, cls, path)

    def check_model(self, value, cls, path):
        if not isinstance(value, dict):
            self.error(path, f"expected a {cls.__name__} mapping, got {type_name(value)}")
            return
        by_json = {json: attr for attr, json in cls.attribute_map.items()}
        kwargs = {}
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            attr = by_json.get(key)
            if attr is None:
                self.error(sub, "unknown field")
                continue
            self.check(item, cls.openapi_types[attr], sub)
            kwargs[attr] = item
        # The model's setters reject None for required fields (and values
        # outside an enum where the model lists one).
        try:
            cls(**kwargs)
        except ValueError as e:
            self.error(path, str(e))


def check_object(obj):
    if not isinstance(obj, dict):
        return [f"document is a {type_name(obj)}, not an object"]
    kind = obj.get("kind")
    api_version = obj.get("apiVersion")
    name = (obj.get("metadata") or {}).get("name", "?")
    label = f"{kind} {name}"
    if not isinstance(kind, str) or not isinstance(api_version, str):
        return [f"{label}: apiVersion and kind are required"]
    cls, problem = model_for(api_version, kind)
    if cls is None:
        return [f"{label}: {problem}"]
    checker = Checker()
    checker.check_model(obj, cls, "")
    return [f"{label}: {e}" for e in checker.errors]


def main(argv):
    if len(argv) < 2:
        print("usage: check_k8s_objects.py FILE... ('-' reads stdin)", file=sys.stderr)
        return 2
    errors = []
    count = 0
    for path in argv[1:]:
        try:
            text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()
            documents = [d for d in yaml.safe_load_all(text) if d is not None]
        except (OSError, yaml.YAMLError) as e:
            print(f"{path}: {e}", file=sys.stderr)
            return 2
        for obj in documents:
            count += 1
            errors.extend(check_object(obj))
    for e in errors:
        print(e)
    if count == 0:
        print("no Kubernetes objects in the input", file=sys.stderr)
        return 2
    if errors:
        print(f"{len(errors)} problem(s) in {count} object(s)", file=sys.stderr)
        return 1
    print(f"{count} object(s) valid")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
