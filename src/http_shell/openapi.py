"""The OpenAPI document, told from what the server does: every operation lists the
problem documents its route can answer, worked out in one place from the route's
shape (credentials, path, query, body) and the core errors it declares with
``raises``; request bodies refuse unknown fields as msgspec does; 429s carry
``Retry-After``; a body that may be left out is not marked required."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import msgspec

# Litestar's own schema for msgspec Structs, extended below; it is not exported.
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.enums import RequestEncodingType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import (
    Components,
    OpenAPIFormat,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
    SecurityScheme,
)
from litestar.plugins import ReceiveRoutePlugin
from litestar.routes import BaseRoute, HTTPRoute

from chatcore.errors import (
    ChatcoreError,
    CsrfRejected,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    TenantMismatch,
    TenantNotFound,
)
from http_shell.problems import PROBLEM_JSON, status_for
from http_shell.routes.health import VERSION
from http_shell.schemas import Body

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition

_RAISES = "raises"
# A route's ``opt`` key for how its errors are declared (default: problem documents).
ERROR_SPECS = "error_specs"
# Dependencies that resolve the tenant of the request, which X-Tenant-ID may name
# wrongly (404 tenant_not_found).
_TENANT_DEPENDENCIES = frozenset({"tenant", "sign_in_tenant", "principal", "optional_principal"})
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_NOT_QUERY = frozenset({"data", "request", "state", "scope", "headers", "cookies", "body"})


class FieldError(msgspec.Struct):
    """One invalid field of a request."""

    field: str
    message: str


class Problem(msgspec.Struct, kw_only=True):
    """An RFC 9457 problem document; ``code`` is stable, for machines."""

    type: str
    title: str
    status: int
    detail: str
    code: str


class ValidationProblem(Problem, kw_only=True):
    """A 422 problem document, naming the invalid fields."""

    errors: list[FieldError]


Raised = type[ChatcoreError] | tuple[int, str]


def raises(*errors: Raised) -> dict[str, Any]:
    """A route's ``opt``: the core errors (or ``(status, code)`` pairs) its use case
    raises beyond those its shape implies."""
    return {_RAISES: errors}


def error_codes(handler: HTTPRouteHandler, route: HTTPRoute) -> dict[int, set[str]]:
    """The problem codes an operation can answer, by status."""
    codes: dict[int, set[str]] = {}

    def add(*errors: Raised) -> None:
        for error in errors:
            status, code = error if isinstance(error, tuple) else (status_for(error), error.code)
            codes.setdefault(status, set()).add(code)

    schemes = {name for requirement in handler.resolve_security() for name in requirement}
    if "bearer" in schemes:
        add(NotAuthenticated, Forbidden, TenantMismatch)
        if handler.http_methods - _SAFE_METHODS:  # the session cookie's cross-site check
            add(CsrfRejected)
    if "admin" in schemes:
        add((401, "admin_required"))
    parameters = handler.parsed_fn_signature.parameters
    if route.path_parameters:
        add(NotFound)
    if _TENANT_DEPENDENCIES & set(parameters) or "bearer" in schemes:
        add(TenantNotFound)
    dependencies = set(handler.resolve_dependencies())
    if set(parameters) - dependencies - _NOT_QUERY - set(route.path_parameters):
        add(InvalidInput)
    if (data := parameters.get("data")) is not None:
        if _is_multipart(data):
            add((400, "bad_request"), InvalidInput)
        else:
            add((400, "malformed_body"), (415, "unsupported_media_type"), InvalidInput)
    add(*handler.opt.get(_RAISES, ()))
    return codes


def _is_multipart(data: FieldDefinition) -> bool:
    kwarg = data.kwarg_definition
    return getattr(kwarg, "media_type", None) == RequestEncodingType.MULTI_PART


def problem_specs(codes: dict[int, set[str]]) -> dict[int, ResponseSpec]:
    """The problem-document responses for the codes an operation answers, by status."""
    return {
        status: ResponseSpec(
            data_container=ValidationProblem if status == 422 else Problem,
            generate_examples=False,
            description=f"{HTTPStatus(status).phrase}: {', '.join(sorted(codes[status]))}",
            media_type=PROBLEM_JSON,
        )
        for status in sorted(codes)
    }


class ErrorResponses(ReceiveRoutePlugin):
    """Declares each operation's problem responses as its route is registered; a
    response the route declares itself wins."""

    def receive_route(self, route: BaseRoute) -> None:
        if not isinstance(route, HTTPRoute):
            return
        for handler in route.route_handlers:
            if not handler.resolve_include_in_schema():
                continue
            specs = handler.opt.get(ERROR_SPECS, problem_specs)
            declared = specs(error_codes(handler, route))
            handler.responses = {**declared, **(handler.responses or {})}
            if handler.operation_class is Operation:
                handler.operation_class = DeclaredOperation


RETRY_AFTER = OpenAPIHeader(
    schema=Schema(type=OpenAPIType.INTEGER),
    description="Seconds until a request may pass again (with rate_limited).",
    required=False,
)


@dataclass
class DeclaredOperation(Operation):
    """An operation as the server answers it, where Litestar's defaults say otherwise."""

    error_media_type = PROBLEM_JSON  # what every 4xx answer is; Litestar's own 400 is not

    def __post_init__(self) -> None:
        self.responses = dict(_answered(self.responses or {}, self.error_media_type))
        body = self.request_body
        if isinstance(body, RequestBody) and all(
            _admits_null(media.schema) for media in body.content.values()
        ):
            body.required = False


@dataclass
class FileUploadOperation(DeclaredOperation):
    """An upload route's body as OpenAPI should show it (it is read as a stream, so
    Litestar cannot infer it): a multipart form with a binary ``file``."""

    def __post_init__(self) -> None:
        super().__post_init__()
        form = Schema(
            type=OpenAPIType.OBJECT,
            required=["file"],
            properties={"file": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)},
        )
        self.request_body = RequestBody(
            content={"multipart/form-data": OpenAPIMediaType(schema=form)}, required=True
        )


def _answered(responses: Mapping[str, Any], error_media_type: str) -> Iterator[tuple[str, Any]]:
    for status, response in responses.items():
        content = getattr(response, "content", None) or {}
        # Litestar adds a 400 of its own shape to every route with parameters; this
        # app answers every error with a document of its own instead.
        if status.startswith("4") and error_media_type not in content:
            continue
        if status == "429" and isinstance(response, OpenAPIResponse):
            response.headers = {**(response.headers or {}), "Retry-After": RETRY_AFTER}
        yield status, response


def _admits_null(schema: object) -> bool:
    alternatives = getattr(schema, "one_of", None) or []
    return any(getattr(s, "type", None) == OpenAPIType.NULL for s in alternatives)


class RequestBodySchemaPlugin(StructSchemaPlugin):
    """Request bodies as msgspec decodes them: unknown fields refused, and each field's
    ``Meta`` constraints on the value's own schema (Litestar's plugin drops them from
    a field that may also be unset, and drops a bound of 0), with the JSON Schema
    keywords ``extra_json_schema`` adds (``format``, ``uniqueItems``)."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return super().is_plugin_supported_field(field_definition) and (
            field_definition.is_subclass_of(Body)
        )

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        info = msgspec.inspect.type_info(field_definition.type_)
        assert isinstance(info, msgspec.inspect.StructType)
        aliases = Schema.field_aliases()
        for field in info.fields:
            target = (schema.properties or {}).get(field.encode_name)
            for name, value in _constraints(field.type).items():
                for part in _value_schemas(target):
                    setattr(part, aliases.get(name, name), value)
        return schema


# msgspec's constraint attributes, by the JSON Schema keyword each one is.
_KEYWORDS = {
    "ge": "minimum",
    "gt": "exclusiveMinimum",
    "le": "maximum",
    "lt": "exclusiveMaximum",
    "multiple_of": "multipleOf",
    "pattern": "pattern",
}
_LENGTHS = {"min_length": ("minLength", "minItems"), "max_length": ("maxLength", "maxItems")}


def _constraints(field_type: msgspec.inspect.Type) -> dict[str, Any]:
    types = field_type.types if isinstance(field_type, msgspec.inspect.UnionType) else (field_type,)
    keywords: dict[str, Any] = {}
    for member in types:
        if isinstance(member, msgspec.inspect.Metadata):
            extra = member.extra_json_schema or {}
            keywords |= {k: v for k, v in extra.items() if k not in _DOCUMENTATION}
            member = member.type
        for attribute, keyword in _KEYWORDS.items():
            if getattr(member, attribute, None) is not None:
                keywords[keyword] = getattr(member, attribute)
        for attribute, (of_text, of_items) in _LENGTHS.items():
            if getattr(member, attribute, None) is not None:
                is_text = isinstance(member, msgspec.inspect.StrType)
                keywords[of_text if is_text else of_items] = getattr(member, attribute)
    return keywords


_DOCUMENTATION = frozenset({"title", "description", "examples"})


def _value_schemas(schema: object) -> Iterator[Schema]:
    # An optional field's schema is a oneOf of the value's schema and null.
    alternatives = getattr(schema, "one_of", None) or [schema]
    for part in alternatives:
        if isinstance(part, Schema) and part.type != OpenAPIType.NULL:
            yield part


def openapi_config() -> OpenAPIConfig:
    """OpenAPI 3.1 at ``/schema/openapi.json``, Swagger UI at ``/schema/swagger``."""
    return OpenAPIConfig(
        title="chatcore",
        version=VERSION,
        path="/schema",
        render_plugins=[SwaggerRenderPlugin(path="/swagger")],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT or API key",
                    description=(
                        "An access token from a sign-in, or an API key (`ck_...`, made "
                        "with POST /v1/api-keys)."
                    ),
                ),
                "admin": SecurityScheme(
                    type="apiKey", name="X-Admin-Token", security_scheme_in="header"
                ),
            }
        ),
    )


def openapi_plugins() -> list[ErrorResponses | RequestBodySchemaPlugin]:
    """The plugins that make the document tell what the server does."""
    return [ErrorResponses(), RequestBodySchemaPlugin()]
