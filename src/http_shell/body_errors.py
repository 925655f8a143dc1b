"""Every invalid field of a request body at once.

msgspec stops at the first error it meets, but a form must mark every field to fix:
a body that failed is checked again here, field by field, against the route's Struct
(nested Structs included), as strictly as the body itself is read.
"""

from __future__ import annotations

import types
from typing import Annotated, Any, Union, get_args, get_origin

import msgspec

FieldError = dict[str, str]


def body_errors(value: Any, body_type: Any) -> list[FieldError]:
    """``{"field", "message"}`` for each invalid, missing or unknown field of ``value``
    read as ``body_type``, in the Struct's field order, unknown fields last."""
    return _errors(value, body_type, "")


def _errors(value: Any, target: Any, path: str) -> list[FieldError]:
    struct = _struct_in(target)
    if struct is not None and isinstance(value, dict):
        return _struct_errors(value, struct, path)
    try:
        msgspec.convert(value, target, strict=True)
    except msgspec.ValidationError as exc:
        message, _, where = str(exc).partition(" - at `$")
        return [{"field": _join(path, where.removesuffix("`")) or "body", "message": message}]
    return []


def _struct_errors(value: dict[str, Any], struct: Any, path: str) -> list[FieldError]:
    fields = msgspec.structs.fields(struct)
    errors: list[FieldError] = []
    for field in fields:
        name = field.encode_name
        if name in value:
            errors += _errors(value[name], field.type, _join(path, "." + name))
        elif field.required:
            message = f"Object missing required field `{name}`"
            errors.append({"field": _join(path, "." + name), "message": message})
    if struct.__struct_config__.forbid_unknown_fields:
        known = {field.encode_name for field in fields}
        errors += [
            {"field": _join(path, "." + key), "message": f"Object contains unknown field `{key}`"}
            for key in value
            if key not in known
        ]
    return errors


def _struct_in(target: Any) -> Any:
    """The Struct type ``target`` is, or the only one of its union; else None."""
    if get_origin(target) is Annotated:
        return _struct_in(get_args(target)[0])
    if get_origin(target) in (Union, types.UnionType):
        structs = [s for s in map(_struct_in, get_args(target)) if s is not None]
        return structs[0] if len(structs) == 1 else None
    if isinstance(target, type) and issubclass(target, msgspec.Struct):
        return target
    return None


def _join(path: str, location: str) -> str:
    # ``location`` is msgspec's: "" (here), ".name" or "[index]", possibly chained.
    return (path + location).removeprefix(".")
