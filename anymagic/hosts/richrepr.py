"""Rich representations: the mime bundle of an object, for any host that shows more than text.

Objects describe themselves the way IPython and Jupyter expect: ``_repr_mimebundle_`` (a
dict, or a ``(data, metadata)`` pair) and the single-format methods ``_repr_html_``,
``_repr_markdown_``, ``_repr_svg_``, ``_repr_png_``, ``_repr_jpeg_``, ``_repr_latex_``,
``_repr_json_``, ``_repr_javascript_`` and ``_repr_pdf_``.  Each of them may return None
(nothing in that format) or a ``(data, metadata)`` pair.  ``text/plain`` is always present.

Nothing here imports IPython; a failing ``_repr_*_`` method is skipped (its format is left
out), never propagated.
"""

from __future__ import annotations

import base64
from typing import Any

#: Single-format methods, in the order Jupyter front ends prefer them.
FORMAT_METHODS: dict[str, str] = {
    "text/html": "_repr_html_",
    "text/markdown": "_repr_markdown_",
    "image/svg+xml": "_repr_svg_",
    "image/png": "_repr_png_",
    "image/jpeg": "_repr_jpeg_",
    "text/latex": "_repr_latex_",
    "application/json": "_repr_json_",
    "application/javascript": "_repr_javascript_",
    "application/pdf": "_repr_pdf_",
}

_BINARY = {"image/png", "image/jpeg", "application/pdf"}

MimeBundle = tuple[dict[str, Any], dict[str, Any]]


def plain_text(obj: Any, pretty: bool = True) -> str:
    """``repr(obj)`` that cannot raise; with ``pretty``, long containers are pretty-printed."""
    try:
        text = repr(obj)
    except Exception as exc:  # noqa: BLE001 - a user's repr may raise anything
        return f"<repr of {type(obj).__name__} failed: {type(exc).__name__}: {exc}>"
    if pretty and len(text) > 79 and isinstance(obj, (dict, list, tuple, set, frozenset)):
        import pprint

        try:
            text = pprint.pformat(obj, width=79)
        except Exception:  # noqa: BLE001 - keep the plain repr
            pass
    return text


def _method(obj: Any, name: str) -> Any:
    """A bound ``_repr_*_`` method of an instance (classes and non-callables do not count)."""
    if isinstance(obj, type):
        return None
    try:
        method = getattr(obj, name, None)
    except Exception:  # noqa: BLE001 - a broken __getattr__ offers nothing
        return None
    return method if callable(method) else None


def _encode(mime: str, data: Any) -> Any:
    """JSON-able data: binary images base64-encoded, JSON as is, text as ``str``."""
    if mime in _BINARY and isinstance(data, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(data)).decode("ascii")
    if isinstance(data, bytes) and not mime.endswith("json"):
        return data.decode("utf-8", "replace")
    return data


def _split(result: Any) -> tuple[Any, Any]:
    if isinstance(result, tuple) and len(result) == 2:
        return result
    return result, None


def mime_bundle(
    obj: Any,
    *,
    pretty: bool = True,
    include: set[str] | None = None,
    exclude: set[str] | None = None,
) -> MimeBundle:
    """``(data, metadata)`` for ``obj``: every format it offers plus ``text/plain``.

    ``pretty=False`` (``%doctest_mode``) keeps ``text/plain`` a plain ``repr``.  ``include``
    and ``exclude`` restrict the formats (``text/plain`` always stays).
    """
    data: dict[str, Any] = {}
    metadata: dict[str, Any] = {}
    bundle_method = _method(obj, "_repr_mimebundle_")
    if bundle_method is not None:
        try:
            found, found_md = _split(bundle_method(include=include, exclude=exclude))
        except Exception:  # noqa: BLE001 - fall back to the single-format methods
            found, found_md = None, None
        if isinstance(found, dict):
            data.update({mime: _encode(mime, value) for mime, value in found.items()})
        if isinstance(found_md, dict):
            metadata.update(found_md)
    for mime, name in FORMAT_METHODS.items():
        if mime in data or (include and mime not in include) or (exclude and mime in exclude):
            continue
        method = _method(obj, name)
        if method is None:
            continue
        try:
            value, md = _split(method())
        except Exception:  # noqa: BLE001 - skip the broken format
            continue
        if value is None:
            continue
        data[mime] = _encode(mime, value)
        if md:
            metadata[mime] = md
    if "text/plain" not in data:
        data["text/plain"] = plain_text(obj, pretty)
    if include:
        data = {k: v for k, v in data.items() if k in include or k == "text/plain"}
    if exclude:
        data = {k: v for k, v in data.items() if k not in exclude or k == "text/plain"}
    return data, metadata


__all__ = ["FORMAT_METHODS", "mime_bundle", "plain_text"]
